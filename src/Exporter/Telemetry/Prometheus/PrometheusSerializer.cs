using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace RelayExporter.Telemetry.Prometheus;

/// <summary>
/// Renders one collection's metrics as Prometheus text 0.0.4 or OpenMetrics 1.0.0, as UTF-8, straight from the SDK's
/// metric points (inside <c>Export</c>, while they are valid: nothing is copied first). Metrics whose Prometheus names
/// coincide are merged into one family (one TYPE/HELP, series grouped); a later metric whose kind conflicts with the
/// family's is left out. No timestamps are written.
/// </summary>
/// <remarks>
/// Hot path for large scrapes: each point's label set is rendered (escaped, UTF-8) once and reused for every line of
/// the point (all histogram buckets, <c>_sum</c>, <c>_count</c>); bucket bounds are formatted once per run of points
/// with the same bounds; sample names are built once per family; sanitised label names are cached per render.
/// </remarks>
internal static class PrometheusSerializer
{
    private const string TargetInfoHelp = "Target metadata";

    private static readonly SearchValues<char> LabelValueEscapes = SearchValues.Create("\\\"\n");
    private static readonly SearchValues<char> HelpEscapes = SearchValues.Create("\\\n");
    private static readonly SearchValues<char> HelpEscapesOpenMetrics = SearchValues.Create("\\\n\"");

    // Below this many points one thread renders everything; above it the families are split between two.
    private const int ParallelFromPoints = 20_000;

    /// <summary>
    /// Renders the body as UTF-8 and returns it as it will be sent: plain, or gzipped as it is rendered. A large body is
    /// rendered in two halves at once (families in order, split where about half the lines are), so a scrape's latency
    /// is not one core's whole work; gzipped, each half is a gzip member of its own (concatenated members are one
    /// stream to every gzip reader, RFC 1952 §2.2).
    /// </summary>
    public static SegmentedBuffer Write(IReadOnlyList<Metric> metrics, Resource? resource, PrometheusFormat format, bool includeScopeLabels, bool gzip)
    {
        var families = GroupFamilies(metrics);
        var first = NewBody(gzip);
        new Renderer(first, format).WriteTargetInfo(resource);
        if (SplitPoint(families) is { } at)
        {
            var second = NewBody(gzip);
            Parallel.Invoke(
                () => WriteFamilies(families.Take(at), format, includeScopeLabels, first),
                () => WriteFamilies(families.Skip(at), format, includeScopeLabels, second, last: true));
            return first.Complete().Append(second.Complete());
        }

        WriteFamilies(families, format, includeScopeLabels, first, last: true);
        return first.Complete();
    }

    private static IScrapeBodyWriter NewBody(bool gzip) => gzip ? new GzipBodyWriter() : new SegmentedBuffer();

    private static void WriteFamilies(IEnumerable<Family> families, PrometheusFormat format, bool includeScopeLabels, IScrapeBodyWriter output, bool last = false)
    {
        var renderer = new Renderer(output, format);
        foreach (var family in families)
        {
            renderer.WriteFamily(family, includeScopeLabels);
        }

        if (last && format == PrometheusFormat.OpenMetrics100)
        {
            renderer.Ascii("# EOF\n");
        }
    }

    /// <summary>The index of the first family of the second half, or null when the body is too small to split.</summary>
    private static int? SplitPoint(List<Family> families)
    {
        var weights = families.Select(f => f.Metrics.Sum(CountPoints) * (f.Kind == PrometheusMetricKind.Histogram ? HistogramLinesPerPoint : 1)).ToList();
        var total = weights.Sum();
        if (families.Count < 2 || total < ParallelFromPoints)
        {
            return null;
        }

        long running = 0;
        for (var i = 0; i < families.Count; i++)
        {
            running += weights[i];
            if (running * 2 >= total)
            {
                return Math.Clamp(i + 1, 1, families.Count - 1);
            }
        }

        return families.Count - 1;
    }

    // A rough line count per histogram point (buckets, +Inf, sum, count), only for balancing the two halves.
    private const int HistogramLinesPerPoint = 12;

    private static long CountPoints(Metric metric)
    {
        long points = 0;
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            points++;
        }

        return points;
    }

    private static List<Family> GroupFamilies(IReadOnlyList<Metric> metrics)
    {
        var families = new List<Family>();
        var byName = new Dictionary<string, Family>(StringComparer.Ordinal);
        foreach (var metric in metrics)
        {
            if (KindOf(metric.MetricType) is not { } kind || CountPoints(metric) == 0)
            {
                continue;
            }

            var name = PrometheusNaming.FamilyName(metric.Name, metric.Unit, kind);
            if (name.Name == "target" || name.Name == "target_info")
            {
                continue; // reserved for resource attributes
            }

            if (!byName.TryGetValue(name.Name, out var family))
            {
                family = new Family(name, kind, metric.Description);
                byName.Add(name.Name, family);
                families.Add(family);
            }
            else if (family.Kind != kind)
            {
                continue;
            }

            family.Help ??= string.IsNullOrEmpty(metric.Description) ? null : metric.Description;
            family.Metrics.Add(metric);
        }

        return families;
    }

    /// <summary>Exponential histograms have no representation in text 0.0.4 / OpenMetrics 1.0.0.</summary>
    private static PrometheusMetricKind? KindOf(MetricType type) => type switch
    {
        MetricType.LongSum or MetricType.DoubleSum => PrometheusMetricKind.Counter,
        MetricType.LongSumNonMonotonic or MetricType.DoubleSumNonMonotonic or MetricType.LongGauge or MetricType.DoubleGauge => PrometheusMetricKind.Gauge,
        MetricType.Histogram => PrometheusMetricKind.Histogram,
        _ => null,
    };

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

    /// <summary>
    /// A JSON array of the items: scalars as JSON scalars, anything else as its label value (a string). Written with
    /// <see cref="Utf8JsonWriter"/> rather than <c>JsonSerializer</c>, so it needs no reflection (trimming, Native AOT);
    /// the text is what <c>JsonSerializer.Serialize</c> wrote for the same items.
    /// </summary>
    private static string ToJson(IEnumerable values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var item in values)
            {
                switch (item)
                {
                    case null: writer.WriteNullValue(); break;
                    case string s: writer.WriteStringValue(s); break;
                    case bool b: writer.WriteBooleanValue(b); break;
                    case char c: writer.WriteStringValue(c.ToString()); break;
                    case sbyte or short or int or long: writer.WriteNumberValue(Convert.ToInt64(item, CultureInfo.InvariantCulture)); break;
                    case byte or ushort or uint or ulong: writer.WriteNumberValue(Convert.ToUInt64(item, CultureInfo.InvariantCulture)); break;
                    case float f: writer.WriteNumberValue(f); break;
                    case double d: writer.WriteNumberValue(d); break;
                    case decimal m: writer.WriteNumberValue(m); break;
                    default: writer.WriteStringValue(Stringify(item)); break;
                }
            }
            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // Label sets up to this size take the fast path (ours have at most five labels).
    private const int FastLabels = 8;

    private readonly record struct LabelNamePrefix(string Name, byte[] Utf8);

    /// <summary>One render: the output, plus scratch state reused from point to point.</summary>
    private sealed class Renderer(IBufferWriter<byte> output, PrometheusFormat format)
    {
        private readonly Dictionary<string, string> labelNames = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> histogramLabelNames = new(StringComparer.Ordinal);
        private readonly List<KeyValuePair<string, string>> labels = new(8);
        private readonly List<KeyValuePair<string, string>> attributes = new(8);
        private readonly ArrayBufferWriter<byte> labelBytes = new(256);
        private readonly Dictionary<string, LabelNamePrefix> prefixesByKey = new(StringComparer.Ordinal);
        private readonly Dictionary<string, LabelNamePrefix> histogramPrefixes = new(StringComparer.Ordinal);
        private readonly LabelNamePrefix[] prefixes = new LabelNamePrefix[FastLabels];
        private KeyValuePair<string, string>[] sorted = new KeyValuePair<string, string>[FastLabels];

        // Formatted bucket bounds (as `le="…"} `) of the last histogram point, reused while the bounds stay the same.
        private double[] boundsKey = [];
        private byte[][] boundsText = [];

        // Bucket bounds and counts of the point being written.
        private double[] pointBounds = new double[16];
        private long[] pointCounts = new long[16];

        public void WriteTargetInfo(Resource? resource)
        {
            attributes.Clear();
            foreach (var attribute in resource?.Attributes ?? [])
            {
                attributes.Add(new(attribute.Key, Stringify(attribute.Value)));
            }

            if (attributes.Count == 0)
            {
                return;
            }

            if (format == PrometheusFormat.OpenMetrics100)
            {
                Ascii("# TYPE target info\n# HELP target ");
                Ascii(TargetInfoHelp);
                Ascii("\n");
            }
            else
            {
                Ascii("# HELP target_info ");
                Ascii(TargetInfoHelp);
                Ascii("\n# TYPE target_info gauge\n");
            }

            Utf8("target_info");
            RenderLabels(null, reserveLe: false);
            WriteLabels();
            Ascii(" 1\n");
        }

        public void WriteFamily(Family family, bool includeScopeLabels)
        {
            var name = family.Name.Name;
            var headerName = format == PrometheusFormat.Text004 && family.Kind == PrometheusMetricKind.Counter ? name + "_total" : name;
            var type = family.Kind switch
            {
                PrometheusMetricKind.Counter => "counter",
                PrometheusMetricKind.Histogram => "histogram",
                _ => "gauge",
            };

            if (format == PrometheusFormat.OpenMetrics100)
            {
                Ascii("# TYPE ");
                Utf8(headerName);
                Ascii(" ");
                Ascii(type);
                Ascii("\n");
                if (family.Name.Unit.Length > 0)
                {
                    Ascii("# UNIT ");
                    Utf8(headerName);
                    Ascii(" ");
                    Utf8(family.Name.Unit);
                    Ascii("\n");
                }

                WriteHelp(headerName, family.Help);
            }
            else
            {
                WriteHelp(headerName, family.Help);
                Ascii("# TYPE ");
                Utf8(headerName);
                Ascii(" ");
                Ascii(type);
                Ascii("\n");
            }

            if (family.Kind == PrometheusMetricKind.Histogram)
            {
                var bucket = Encoding.UTF8.GetBytes(name + "_bucket");
                var sum = Encoding.UTF8.GetBytes(name + "_sum");
                var count = Encoding.UTF8.GetBytes(name + "_count");
                foreach (var metric in family.Metrics)
                {
                    foreach (ref readonly var point in metric.GetMetricPoints())
                    {
                        CopyAttributes(point.Tags);
                        RenderLabels(includeScopeLabels ? metric : null, reserveLe: true);
                        WriteHistogram(bucket, sum, count, point);
                    }
                }
            }
            else
            {
                var sample = Encoding.UTF8.GetBytes(family.Kind == PrometheusMetricKind.Counter ? name + "_total" : name);
                foreach (var metric in family.Metrics)
                {
                    foreach (ref readonly var point in metric.GetMetricPoints())
                    {
                        CopyAttributes(point.Tags);
                        RenderLabels(includeScopeLabels ? metric : null, reserveLe: false);
                        WriteSample(sample, metric.MetricType, point);
                    }
                }
            }
        }

        private void WriteHelp(string name, string? help)
        {
            if (help is null)
            {
                return;
            }

            Ascii("# HELP ");
            Utf8(name);
            Ascii(" ");
            var escapes = format == PrometheusFormat.OpenMetrics100 ? HelpEscapesOpenMetrics : HelpEscapes;
            if (help.AsSpan().IndexOfAny(escapes) < 0)
            {
                Utf8(help);
            }
            else
            {
                var escaped = new StringBuilder(help.Length + 8);
                PrometheusText.AppendEscapedHelp(escaped, help, format);
                Utf8(escaped.ToString());
            }

            Ascii("\n");
        }

        private void WriteHistogram(byte[] bucket, byte[] sum, byte[] count, in MetricPoint point)
        {
            var buckets = CopyBuckets(point);
            var bounds = BoundsText(pointBounds.AsSpan(0, buckets));
            var counts = pointCounts.AsSpan(0, buckets);
            var rendered = labelBytes.WrittenSpan;
            long cumulative = 0;
            for (var i = 0; i < bounds.Length; i++)
            {
                cumulative += counts[i];

                // One span per line: name{labels,le="…"} count\n
                var le = bounds[i]; // le="…"}<space>
                var span = output.GetSpan(bucket.Length + rendered.Length + le.Length + 23);
                bucket.CopyTo(span);
                var n = bucket.Length;
                span[n++] = (byte)'{';
                if (rendered.Length > 0)
                {
                    rendered.CopyTo(span[n..]);
                    n += rendered.Length;
                    span[n++] = (byte)',';
                }

                le.CopyTo(span[n..]);
                n += le.Length;
                if (!cumulative.TryFormat(span[n..], out var written, default, CultureInfo.InvariantCulture))
                {
                    throw new InvalidOperationException("Bucket line did not fit its buffer.");
                }

                n += written;
                span[n++] = (byte)'\n';
                output.Advance(n);
            }

            Bytes(sum);
            WriteLabels();
            Ascii(" ");
            Double(point.GetHistogramSum());
            Ascii("\n");

            Bytes(count);
            WriteLabels();
            Ascii(" ");
            Integer(point.GetHistogramCount());
            Ascii("\n");
        }

        /// <summary>Copies the point's buckets into <see cref="pointBounds"/> and <see cref="pointCounts"/>, ending in +Inf.</summary>
        private int CopyBuckets(in MetricPoint point)
        {
            var n = 0;
            foreach (var bucket in point.GetHistogramBuckets())
            {
                EnsureBucketCapacity(n + 1);
                pointBounds[n] = bucket.ExplicitBound;
                pointCounts[n] = bucket.BucketCount;
                n++;
            }

            if (n == 0 || !double.IsPositiveInfinity(pointBounds[n - 1]))
            {
                // Histograms configured without buckets still need the mandatory +Inf bucket.
                EnsureBucketCapacity(n + 1);
                long counted = 0;
                for (var i = 0; i < n; i++)
                {
                    counted += pointCounts[i];
                }

                pointBounds[n] = double.PositiveInfinity;
                pointCounts[n] = point.GetHistogramCount() - counted;
                n++;
            }

            return n;
        }

        private void EnsureBucketCapacity(int needed)
        {
            if (needed > pointBounds.Length)
            {
                Array.Resize(ref pointBounds, needed * 2);
                Array.Resize(ref pointCounts, needed * 2);
            }
        }

        /// <summary>`le="bound"} ` per bucket, formatted again only when the bounds differ from the last point's.</summary>
        private byte[][] BoundsText(ReadOnlySpan<double> bounds)
        {

            // Bitwise comparison: -0.0 and 0.0 format differently.
            if (!MemoryMarshal.Cast<double, long>(bounds).SequenceEqual(MemoryMarshal.Cast<double, long>(boundsKey.AsSpan())))
            {
                var text = new byte[bounds.Length][];
                for (var i = 0; i < bounds.Length; i++)
                {
                    text[i] = Encoding.UTF8.GetBytes("le=\"" + PrometheusText.FormatBound(bounds[i], format) + "\"} ");
                }

                boundsKey = bounds.ToArray();
                boundsText = text;
            }

            return boundsText;
        }

        /// <summary>`{labels}` from the rendered label set, nothing when it is empty.</summary>
        private void WriteLabels()
        {
            var rendered = labelBytes.WrittenSpan;
            if (rendered.Length == 0)
            {
                return;
            }

            Ascii("{");
            Bytes(rendered);
            Ascii("}");
        }

        /// <summary>
        /// Scope labels first, then attributes ordered by their original key. Attributes whose sanitised names collide
        /// are merged, values joined with <c>;</c> in original-key order (per the compatibility spec). The result is
        /// rendered (`a="x",b="y"`, escaped, UTF-8) into <see cref="labelBytes"/>.
        /// </summary>
        private void CopyAttributes(ReadOnlyTagCollection tags)
        {
            attributes.Clear();
            foreach (var tag in tags)
            {
                attributes.Add(new(tag.Key, Stringify(tag.Value)));
            }
        }

        private void RenderLabels(Metric? scope, bool reserveLe)
        {
            if (scope is null && TryRenderLabelsFast(reserveLe))
            {
                return;
            }

            labels.Clear();
            if (scope is not null)
            {
                labels.Add(new("otel_scope_name", scope.MeterName));
                if (!string.IsNullOrEmpty(scope.MeterVersion))
                {
                    labels.Add(new("otel_scope_version", scope.MeterVersion));
                }
            }

            var scopeCount = labels.Count;
            var count = attributes.Count;
            if (sorted.Length < count)
            {
                sorted = new KeyValuePair<string, string>[Math.Max(count, sorted.Length * 2)];
            }

            // Stable insertion sort by ordinal key (attribute lists are short and usually already sorted).
            for (var i = 0; i < count; i++)
            {
                var item = attributes[i];
                var j = i - 1;
                while (j >= 0 && string.CompareOrdinal(sorted[j].Key, item.Key) > 0)
                {
                    sorted[j + 1] = sorted[j];
                    j--;
                }

                sorted[j + 1] = item;
            }

            for (var i = 0; i < count; i++)
            {
                var attribute = sorted[i];
                var name = LabelName(attribute.Key, reserveLe);
                var index = -1;
                for (var k = scopeCount; k < labels.Count; k++)
                {
                    if (string.Equals(labels[k].Key, name, StringComparison.Ordinal))
                    {
                        index = k;
                        break;
                    }
                }

                if (index >= 0)
                {
                    labels[index] = new(name, labels[index].Value + ";" + attribute.Value);
                }
                else
                {
                    labels.Add(new(name, attribute.Value));
                }
            }

            Array.Clear(sorted, 0, count);

            labelBytes.ResetWrittenCount();
            for (var i = 0; i < labels.Count; i++)
            {
                if (i > 0)
                {
                    Ascii(labelBytes, ",");
                }

                Utf8(labelBytes, labels[i].Key);
                Ascii(labelBytes, "=\"");
                WriteLabelValue(labels[i].Value);
                Ascii(labelBytes, "\"");
            }
        }

        /// <summary>
        /// The common case, without scope labels or names that collide after sanitising: sorts the attributes and writes
        /// each as its cached `name="` prefix and its value. False (nothing decided) when names collide.
        /// </summary>
        private bool TryRenderLabelsFast(bool reserveLe)
        {
            var count = attributes.Count;
            if (count > FastLabels)
            {
                return false;
            }

            for (var i = 0; i < count; i++)
            {
                var item = attributes[i];
                var j = i - 1;
                while (j >= 0 && string.CompareOrdinal(sorted[j].Key, item.Key) > 0)
                {
                    sorted[j + 1] = sorted[j];
                    prefixes[j + 1] = prefixes[j];
                    j--;
                }

                sorted[j + 1] = item;
                prefixes[j + 1] = LabelPrefix(item.Key, reserveLe);
            }

            for (var i = 1; i < count; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    if (string.Equals(prefixes[i].Name, prefixes[j].Name, StringComparison.Ordinal))
                    {
                        return false;
                    }
                }
            }

            labelBytes.ResetWrittenCount();
            for (var i = 0; i < count; i++)
            {
                var prefix = prefixes[i].Utf8;
                var span = labelBytes.GetSpan(prefix.Length + 1);
                var n = 0;
                if (i > 0)
                {
                    span[n++] = (byte)',';
                }

                prefix.CopyTo(span[n..]);
                labelBytes.Advance(n + prefix.Length);
                WriteLabelValue(sorted[i].Value);
                Ascii(labelBytes, "\"");
            }

            return true;
        }

        private void WriteLabelValue(string value)
        {
            if (value.AsSpan().IndexOfAny(LabelValueEscapes) < 0)
            {
                Utf8(labelBytes, value);
            }
            else
            {
                var escaped = new StringBuilder(value.Length + 8);
                PrometheusText.AppendEscapedLabelValue(escaped, value);
                Utf8(labelBytes, escaped.ToString());
            }
        }

        /// <summary>The sanitised name of an attribute key and its UTF-8 `name="`, computed once per key and render.</summary>
        private LabelNamePrefix LabelPrefix(string key, bool reserveLe)
        {
            var cache = reserveLe ? histogramPrefixes : prefixesByKey;
            if (!cache.TryGetValue(key, out var prefix))
            {
                var name = LabelName(key, reserveLe);
                prefix = new LabelNamePrefix(name, Encoding.UTF8.GetBytes(name + "=\""));
                cache.Add(key, prefix);
            }

            return prefix;
        }

        private string LabelName(string key, bool reserveLe)
        {
            var cache = reserveLe ? histogramLabelNames : labelNames;
            if (!cache.TryGetValue(key, out var name))
            {
                name = PrometheusNaming.SanitizeLabelName(key);
                if (reserveLe && name == "le")
                {
                    name = "key_le"; // "le" is reserved for histogram buckets
                }

                cache.Add(key, name);
            }

            return name;
        }

        /// <summary>`name{labels} value\n` in one span (one buffer call per line, not six).</summary>
        private void WriteSample(byte[] name, MetricType type, in MetricPoint point)
        {
            var rendered = labelBytes.WrittenSpan;
            var span = output.GetSpan(name.Length + rendered.Length + MaxValueBytes + 4);
            name.CopyTo(span);
            var n = name.Length;
            if (rendered.Length > 0)
            {
                span[n++] = (byte)'{';
                rendered.CopyTo(span[n..]);
                n += rendered.Length;
                span[n++] = (byte)'}';
            }

            span[n++] = (byte)' ';
            output.Advance(n);
            Value(type, point);
            output.GetSpan(1)[0] = (byte)'\n';
            output.Advance(1);
        }

        // The longest a formatted long or round-trip double can be.
        private const int MaxValueBytes = 32;

        private void Value(MetricType type, in MetricPoint point)
        {
            switch (type)
            {
                case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                    Integer(point.GetSumLong());
                    break;
                case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                    Double(point.GetSumDouble());
                    break;
                case MetricType.LongGauge:
                    Integer(point.GetGaugeLastValueLong());
                    break;
                default:
                    Double(point.GetGaugeLastValueDouble());
                    break;
            }
        }

        private void Integer(long value)
        {
            var span = output.GetSpan(20);
            if (!value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException("Integer did not fit its buffer.");
            }

            output.Advance(written);
        }

        private void Double(double value)
        {
            if (!double.IsFinite(value))
            {
                Ascii(PrometheusText.FormatDouble(value));
                return;
            }

            var span = output.GetSpan(32);
            if (!value.TryFormat(span, out var written, "R", CultureInfo.InvariantCulture))
            {
                Utf8(PrometheusText.FormatDouble(value));
                return;
            }

            output.Advance(written);
        }

        public void Ascii(string text) => Ascii(output, text);

        private void Utf8(string text) => Utf8(output, text);

        private void Bytes(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(output.GetSpan(bytes.Length));
            output.Advance(bytes.Length);
        }

        /// <summary>Text known to be ASCII (format literals).</summary>
        private static void Ascii(IBufferWriter<byte> writer, string text)
        {
            var span = writer.GetSpan(text.Length);
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = (byte)text[i];
            }

            writer.Advance(text.Length);
        }

        private static void Utf8(IBufferWriter<byte> writer, string text)
        {
            var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
            writer.Advance(Encoding.UTF8.GetBytes(text, span));
        }
    }

    private sealed class Family(PrometheusFamilyName name, PrometheusMetricKind kind, string? help)
    {
        public PrometheusFamilyName Name { get; } = name;

        public PrometheusMetricKind Kind { get; } = kind;

        public string? Help { get; set; } = string.IsNullOrEmpty(help) ? null : help;

        public List<Metric> Metrics { get; } = [];
    }
}
