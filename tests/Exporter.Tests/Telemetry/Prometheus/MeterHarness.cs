using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using RelayExporter.Telemetry.Prometheus;

namespace RelayExporter.Tests.Telemetry.Prometheus;

/// <summary>A real OpenTelemetry SDK pipeline (meter → BaseExportingMetricReader → exporter) without HTTP.</summary>
internal sealed class MeterHarness : IDisposable
{
    private readonly List<Meter> meters = [];
    private readonly OpenTelemetrySdk sdk;

    public MeterHarness(
        PrometheusScrapeOptions? options = null,
        TimeProvider? time = null,
        Action<ResourceBuilder>? resource = null,
        Action<MeterProviderBuilder>? configure = null,
        int meterCount = 1)
    {
        var prefix = "Relay.Tests." + Guid.NewGuid().ToString("N");
        for (var i = 0; i < meterCount; i++)
        {
            meters.Add(new Meter(meterCount == 1 ? prefix : $"{prefix}.{i}", "1.0.0"));
        }

        Exporter = new PrometheusScrapeExporter(options ?? new PrometheusScrapeOptions { IncludeScopeLabels = false }, time ?? TimeProvider.System);
        sdk = OpenTelemetrySdk.Create(b => b
            .ConfigureResource(r => (resource ?? (rb => rb.Clear()))(r))
            .WithMetrics(m =>
            {
                foreach (var meter in meters)
                {
                    m.AddMeter(meter.Name);
                }

                configure?.Invoke(m);
                m.AddReader(new BaseExportingMetricReader(Exporter));
            }));
    }

    public Meter Meter => meters[0];

    public IReadOnlyList<Meter> Meters => meters;

    public PrometheusScrapeExporter Exporter { get; }

    /// <summary>A scrape's body as the endpoint would send it (scope labels as the exporter's options say: off by default here).</summary>
    public async Task<string> RenderAsync(PrometheusFormat format) =>
        System.Text.Encoding.UTF8.GetString(await RenderBytesAsync(format, gzip: false));

    /// <summary>The body as it would be sent: gzipped, or not.</summary>
    public async Task<byte[]> RenderBytesAsync(PrometheusFormat format, bool gzip)
    {
        var body = await Exporter.ScrapeAsync(format, gzip, CancellationToken.None);
        using var bytes = new MemoryStream();
        await body.WriteToAsync(System.IO.Pipelines.PipeWriter.Create(bytes), CancellationToken.None);
        return bytes.ToArray();
    }

    public void Dispose()
    {
        sdk.Dispose();
        Exporter.Dispose();
        foreach (var meter in meters)
        {
            meter.Dispose();
        }
    }
}
