using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using RelayExporter.Telemetry.Prometheus;

namespace RelayExporter.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Hosts the OpenTelemetry SDK without OpenTelemetry.Extensions.Hosting: one <see cref="OpenTelemetrySdk"/> singleton,
    /// built at start-up, disposed at shutdown, read by our Prometheus endpoint and, when configured, pushed over OTLP.
    /// </summary>
    public static IServiceCollection AddExporterTelemetry(this IServiceCollection services)
    {
        services.AddSingleton(BuildInfo.Current);
        services.AddSingleton<CardinalityLimits>();
        services.AddSingleton<ExporterMetrics>();
        services.AddSingleton(new PrometheusScrapeExporter(new PrometheusScrapeOptions { IncludeScopeLabels = false }));
        services.AddSingleton(provider => CreateSdk(provider, OtlpSettings.From(provider.GetRequiredService<IConfiguration>())));
        services.AddHostedService<TelemetryStartup>();
        return services;
    }

    private static OpenTelemetrySdk CreateSdk(IServiceProvider provider, OtlpSettings? otlp)
    {
        var build = provider.GetRequiredService<BuildInfo>();
        var prometheus = provider.GetRequiredService<PrometheusScrapeExporter>();
        var limits = provider.GetRequiredService<CardinalityLimits>();
        return OpenTelemetrySdk.Create(sdk => sdk
            .ConfigureResource(resource => resource.Clear()
                .AddService("relay-exporter", serviceVersion: build.Version)
                .AddTelemetrySdk()
                .AddEnvironmentVariableDetector())
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ExporterMetrics.MeterName)
                    .AddView(instrument => new MetricStreamConfiguration { CardinalityLimit = limits.For(instrument.Name) })
                    .AddReader(new BaseExportingMetricReader(prometheus));
                if (otlp is not null) metrics.AddOtlpExporter(otlp.Apply);
            }));
    }

    /// <summary>Builds the SDK when the host starts (so no scrape pays for it) and disposes it with the container.</summary>
    private sealed class TelemetryStartup(OpenTelemetrySdk sdk, ExporterMetrics metrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(sdk);
            GC.KeepAlive(metrics);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
