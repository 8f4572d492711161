using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace RelayExporter.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Hosts the OpenTelemetry SDK with OpenTelemetry.Extensions.Hosting: the MeterProvider is built when the host starts
    /// (so no scrape pays for it) and disposed with it; OpenTelemetry's Prometheus exporter serves it on /metrics
    /// (<see cref="MetricsEndpoint"/>) and, when the standard OTEL_EXPORTER_OTLP_* variables name an endpoint, it is
    /// pushed over OTLP as well.
    /// </summary>
    public static IServiceCollection AddExporterTelemetry(this IServiceCollection services)
    {
        services.AddSingleton(BuildInfo.Current);
        services.AddSingleton<CardinalityLimits>();
        services.AddSingleton<ExporterMetrics>();
        services.AddSingleton<InProcessScrape>();
        services.AddSingleton<SelfMetrics>();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.Clear()
                .AddService("relay-exporter", serviceVersion: BuildInfo.Current.Version)
                .AddTelemetrySdk()
                .AddEnvironmentVariableDetector())
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ExporterMetrics.MeterName, SelfMetrics.MeterName)
                    .AddRuntimeInstrumentation()
                    .AddProcessInstrumentation()
                    .AddPrometheusExporter(MetricsEndpoint.Configure);
                // The hosting builder is deferred: this runs when the provider is built, with the host's services.
                ((IDeferredMeterProviderBuilder)metrics).Configure((provider, builder) =>
                {
                    var limits = provider.GetRequiredService<CardinalityLimits>();
                    // One view: an instrument two views match is exported twice.
                    builder.AddView(instrument => SelfMetrics.View(instrument) ?? new MetricStreamConfiguration { CardinalityLimit = limits.For(instrument.Name) });
                    // Read here, once the host's configuration is complete, so that a host built in a test can set them too.
                    if (OtlpSettings.From(provider.GetRequiredService<IConfiguration>()) is { } otlp) builder.AddReader(otlp.CreateReader());
                });
            });
        services.AddHostedService<TelemetryStartup>();
        return services;
    }

    /// <summary>Creates the instruments when the host starts, so that the first probes and scrapes find them.</summary>
    private sealed class TelemetryStartup(ExporterMetrics metrics, SelfMetrics selfMetrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(metrics);
            GC.KeepAlive(selfMetrics);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
