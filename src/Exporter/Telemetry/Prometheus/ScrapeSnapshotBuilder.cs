using System.Collections;
using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
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
        var histograms = new HistogramCopier();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var attributes = CopyTags(point.Tags);
            points.Add(metric.MetricType switch
            {
                MetricType.LongSum or MetricType.LongSumNonMonotonic =>
                    new MetricPointSnapshot(attributes, SampleValue.Of(point.GetSumLong()), null),
                MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic =>
                    new MetricPointSnapshot(attributes, SampleValue.Of(point.GetSumDouble()), null),
                MetricType.LongGauge =>
                    new MetricPointSnapshot(attributes, SampleValue.Of(point.GetGaugeLastValueLong()), null),
                MetricType.DoubleGauge =>
                    new MetricPointSnapshot(attributes, SampleValue.Of(point.GetGaugeLastValueDouble()), null),
                _ => new MetricPointSnapshot(attributes, default, histograms.Copy(point)),
            });
        }

        return new MetricSnapshot(
            metric.Name,
            metric.Unit,
            metric.Description,
            kind,
            metric.MeterName,
            metric.MeterVersion,
            points.DrainToImmutable());
    }

    private static ImmutableArray<KeyValuePair<string, string>> CopyTags(ReadOnlyTagCollection tags)
    {
        if (tags.Count == 0)
        {
            return [];
        }

        var attributes = new KeyValuePair<string, string>[tags.Count];
        var i = 0;
        foreach (var tag in tags)
        {
            attributes[i++] = new(tag.Key, Stringify(tag.Value));
        }

        return ImmutableCollectionsMarshal.AsImmutableArray(attributes);
    }

    /// <summary>Copies a metric's histogram points; points with the same bounds share one bounds array.</summary>
    private sealed class HistogramCopier
    {
        private double[] bounds = new double[16];
        private long[] counts = new long[16];
        private ImmutableArray<double> lastBounds = [];

        public HistogramSnapshot Copy(in MetricPoint point)
        {
            var n = 0;
            foreach (var bucket in point.GetHistogramBuckets())
            {
                if (n == bounds.Length)
                {
                    Array.Resize(ref bounds, n * 2);
                    Array.Resize(ref counts, n * 2);
                }

                bounds[n] = bucket.ExplicitBound;
                counts[n] = bucket.BucketCount;
                n++;
            }

            if (n == 0 || !double.IsPositiveInfinity(bounds[n - 1]))
            {
                // Histograms configured without buckets still need the mandatory +Inf bucket.
                if (n == bounds.Length)
                {
                    Array.Resize(ref bounds, n + 1);
                    Array.Resize(ref counts, n + 1);
                }

                long sum = 0;
                for (var i = 0; i < n; i++)
                {
                    sum += counts[i];
                }

                bounds[n] = double.PositiveInfinity;
                counts[n] = point.GetHistogramCount() - sum;
                n++;
            }

            // Bitwise comparison, so that bounds like -0.0 and 0.0 stay distinct.
            if (!MemoryMarshal.Cast<double, long>(lastBounds.AsSpan()).SequenceEqual(MemoryMarshal.Cast<double, long>(bounds.AsSpan(0, n))))
            {
                lastBounds = ImmutableArray.Create(bounds, 0, n);
            }

            return new HistogramSnapshot(lastBounds, ImmutableArray.Create(counts, 0, n), point.GetHistogramSum(), point.GetHistogramCount());
        }
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
