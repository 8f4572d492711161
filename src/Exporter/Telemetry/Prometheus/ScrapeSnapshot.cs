using System.Collections.Immutable;

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

/// <summary>An immutable copy of one collection: everything needed to render a scrape response.</summary>
internal sealed record ScrapeSnapshot(
    ImmutableArray<KeyValuePair<string, string>> ResourceAttributes,
    ImmutableArray<MetricSnapshot> Metrics)
{
    public static ScrapeSnapshot Empty { get; } = new([], []);
}

/// <summary>One OpenTelemetry metric stream with its points, names still in OpenTelemetry form.</summary>
internal sealed record MetricSnapshot(
    string Name,
    string? Unit,
    string? Description,
    PrometheusMetricKind Kind,
    string MeterName,
    string? MeterVersion,
    ImmutableArray<MetricPointSnapshot> Points);

/// <summary>One series: its attributes (stringified, OpenTelemetry keys) and value.</summary>
internal sealed record MetricPointSnapshot(
    ImmutableArray<KeyValuePair<string, string>> Attributes,
    SampleValue Value,
    HistogramSnapshot? Histogram);

/// <summary>Histogram data; <see cref="BucketCounts"/> are per bucket (not cumulative); the last bound is +Inf.</summary>
internal sealed record HistogramSnapshot(
    ImmutableArray<double> UpperBounds,
    ImmutableArray<long> BucketCounts,
    double Sum,
    long Count);

/// <summary>A sample value that keeps integers exact.</summary>
internal readonly record struct SampleValue(bool IsInteger, long Integer, double Double)
{
    public static SampleValue Of(long value) => new(true, value, value);

    public static SampleValue Of(double value) => new(false, 0, value);
}
