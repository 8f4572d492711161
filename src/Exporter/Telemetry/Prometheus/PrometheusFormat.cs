namespace RelayExporter.Telemetry.Prometheus;

/// <summary>The exposition formats the endpoint can produce.</summary>
internal enum PrometheusFormat
{
    /// <summary>Prometheus text format 0.0.4.</summary>
    Text004,

    /// <summary>OpenMetrics text 1.0.0.</summary>
    OpenMetrics100,
}

/// <summary>Content types of <see cref="PrometheusFormat"/>.</summary>
internal static class PrometheusContentTypes
{
    public const string Text004 = "text/plain; version=0.0.4; charset=utf-8";
    public const string OpenMetrics100 = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    public static string Of(PrometheusFormat format) =>
        format == PrometheusFormat.OpenMetrics100 ? OpenMetrics100 : Text004;
}
