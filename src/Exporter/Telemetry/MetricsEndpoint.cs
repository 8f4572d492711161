using OpenTelemetry.Exporter;

namespace RelayExporter.Telemetry;

/// <summary>/metrics: OpenTelemetry's Prometheus exporter, configured to the metrics contract of docs/metrics.md.</summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static void Configure(PrometheusAspNetCoreOptions options)
    {
        // The contract's series carry no otel_scope_name/otel_scope_version labels: dashboards and rules match on the labels
        // they have, and the scope would only repeat the meter's name on every sample.
        options.ScopeInfoEnabled = false;
        // Every scrape collects. ExporterMetrics.Restart needs a collection that really runs (a cached answer would leave
        // the disposed instruments' series to meet their replacements in the next scrape), and scrapes that arrive
        // together share one collection anyway; see docs/decisions/0001-metrics-endpoint.md.
        options.ScrapeResponseCacheDurationMilliseconds = 0;
    }

    /// <summary>GET (and HEAD) <see cref="Path"/>: text 0.0.4 or OpenMetrics by Accept, gzip by Accept-Encoding.</summary>
    public static IEndpointConventionBuilder MapMetricsEndpoint(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint(Path);
}
