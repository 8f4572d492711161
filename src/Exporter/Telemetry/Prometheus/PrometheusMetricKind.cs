namespace RelayExporter.Telemetry.Prometheus;

/// <summary>How a metric is exposed to Prometheus.</summary>
internal enum PrometheusMetricKind
{
    /// <summary>Monotonic sum.</summary>
    Counter,

    /// <summary>Gauge or non-monotonic sum.</summary>
    Gauge,

    /// <summary>Explicit-bucket histogram.</summary>
    Histogram,
}
