using System.Collections;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace RelayExporter.Telemetry.Prometheus;

/// <summary>Copies a <see cref="Batch{Metric}"/> (valid only during Export) into an immutable <see cref="ScrapeSnapshot"/>.</summary>
internal static class ScrapeSnapshotBuilder
{
    public static ScrapeSnapshot Build(in Batch<Metric> batch, Resource? resource)
    {
        var metrics = ImmutableArray.CreateBuilder<MetricSnapshot>();
        foreach (var metric in batch)
        {
            var snapshot = Copy(metric);
            if (snapshot is not null)
            {
                metrics.Add(snapshot);
            }
        }

        return new ScrapeSnapshot(CopyResource(resource), metrics.ToImmutable());
    }

    public static ImmutableArray<KeyValuePair<string, string>> CopyResource(Resource? resource)
    {
        if (resource is null)
        {
            return [];
        }

        var attributes = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        foreach (var attribute in resource.Attributes)
        {
            attributes.Add(new(attribute.Key, Stringify(attribute.Value)));
        }

        return attributes.ToImmutable();
    }

    private static MetricSnapshot? Copy(Metric metric)
    {
        PrometheusMetricKind kind;
        switch (metric.MetricType)
        {
            case MetricType.LongSum:
            case MetricType.DoubleSum:
                kind = PrometheusMetricKind.Counter;
                break;
            case MetricType.LongSumNonMonotonic:
            case MetricType.DoubleSumNonMonotonic:
            case MetricType.LongGauge:
            case MetricType.DoubleGauge:
                kind = PrometheusMetricKind.Gauge;
                break;
            case MetricType.Histogram:
                kind = PrometheusMetricKind.Histogram;
                break;
            default:
                // Exponential histograms have no representation in text 0.0.4 / OpenMetrics 1.0.0.
                return null;
        }

        var points = ImmutableArray.CreateBuilder<MetricPointSnapshot>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var attributes = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>(point.Tags.Count);
            foreach (var tag in point.Tags)
            {
                attributes.Add(new(tag.Key, Stringify(tag.Value)));
            }

            points.Add(metric.MetricType switch
            {
                MetricType.LongSum or MetricType.LongSumNonMonotonic =>
                    new MetricPointSnapshot(attributes.MoveToImmutable(), SampleValue.Of(point.GetSumLong()), null),
                MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic =>
                    new MetricPointSnapshot(attributes.MoveToImmutable(), SampleValue.Of(point.GetSumDouble()), null),
                MetricType.LongGauge =>
                    new MetricPointSnapshot(attributes.MoveToImmutable(), SampleValue.Of(point.GetGaugeLastValueLong()), null),
                MetricType.DoubleGauge =>
                    new MetricPointSnapshot(attributes.MoveToImmutable(), SampleValue.Of(point.GetGaugeLastValueDouble()), null),
                _ => new MetricPointSnapshot(attributes.MoveToImmutable(), default, CopyHistogram(point)),
            });
        }

        return new MetricSnapshot(
            metric.Name,
            metric.Unit,
            metric.Description,
            kind,
            metric.MeterName,
            metric.MeterVersion,
            points.ToImmutable());
    }

    private static HistogramSnapshot CopyHistogram(in MetricPoint point)
    {
        var bounds = ImmutableArray.CreateBuilder<double>();
        var counts = ImmutableArray.CreateBuilder<long>();
        foreach (var bucket in point.GetHistogramBuckets())
        {
            bounds.Add(bucket.ExplicitBound);
            counts.Add(bucket.BucketCount);
        }

        if (bounds.Count == 0 || !double.IsPositiveInfinity(bounds[^1]))
        {
            // Histograms configured without buckets still need the mandatory +Inf bucket.
            bounds.Add(double.PositiveInfinity);
            counts.Add(point.GetHistogramCount() - counts.Sum());
        }

        return new HistogramSnapshot(bounds.ToImmutable(), counts.ToImmutable(), point.GetHistogramSum(), point.GetHistogramCount());
    }

    /// <summary>Attribute values as label values: strings as is, scalars invariant, arrays as JSON (per the compatibility spec).</summary>
    internal static string Stringify(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable e => ToJson(e),
        _ => value.ToString() ?? string.Empty,
    };

    private static string ToJson(IEnumerable values)
    {
        var items = new List<object?>();
        foreach (var item in values)
        {
            items.Add(item is null or string or bool || item.GetType().IsPrimitive || item is decimal ? item : Stringify(item));
        }

        return JsonSerializer.Serialize(items);
    }
}
