using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace RelayExporter.Telemetry.Prometheus;

/// <summary>
/// Renders a <see cref="ScrapeSnapshot"/> as Prometheus text 0.0.4 or OpenMetrics 1.0.0, as UTF-8. Metrics whose
/// Prometheus names coincide are merged into one family (one TYPE/HELP, series grouped); a later metric whose kind
/// conflicts with the family's is left out. No timestamps are written.
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

    /// <summary>The rendered body as a string (tests and small outputs; the endpoint uses <see cref="Write"/>).</summary>
    public static string Serialize(ScrapeSnapshot snapshot, PrometheusFormat format, bool includeScopeLabels = true)
    {
        var output = new ArrayBufferWriter<byte>(1024);
        Write(snapshot, format, includeScopeLabels, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>Writes the rendered body as UTF-8 to <paramref name="output"/>.</summary>
    public static void Write(ScrapeSnapshot snapshot, PrometheusFormat format, bool includeScopeLabels, IBufferWriter<byte> output)
    {
        var renderer = new Renderer(output, format);
        renderer.WriteTargetInfo(snapshot);
        foreach (var family in GroupFamilies(snapshot))
        {
            renderer.WriteFamily(family, includeScopeLabels);
        }

        if (format == PrometheusFormat.OpenMetrics100)
        {
            renderer.Ascii("# EOF\n");
        }
    }

    private static List<Family> GroupFamilies(ScrapeSnapshot snapshot)
    {
        var families = new List<Family>();
        var byName = new Dictionary<string, Family>(StringComparer.Ordinal);
        foreach (var metric in snapshot.Metrics)
        {
            if (metric.Points.IsEmpty)
            {
                continue;
            }

            var name = PrometheusNaming.FamilyName(metric.Name, metric.Unit, metric.Kind);
            if (name.Name == "target" || name.Name == "target_info")
            {
                continue; // reserved for resource attributes
            }

            if (!byName.TryGetValue(name.Name, out var family))
            {
                family = new Family(name, metric.Kind, metric.Description);
                byName.Add(name.Name, family);
                families.Add(family);
            }
            else if (family.Kind != metric.Kind)
            {
                continue;
            }

            family.Help ??= string.IsNullOrEmpty(metric.Description) ? null : metric.Description;
            family.Metrics.Add(metric);
        }

        return families;
    }

    /// <summary>One render: the output, plus scratch state reused from point to point.</summary>
    private sealed class Renderer(IBufferWriter<byte> output, PrometheusFormat format)
    {
        private readonly Dictionary<string, string> labelNames = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> histogramLabelNames = new(StringComparer.Ordinal);
        private readonly List<KeyValuePair<string, string>> labels = new(8);
        private readonly ArrayBufferWriter<byte> labelBytes = new(256);
        private KeyValuePair<string, string>[] sorted = new KeyValuePair<string, string>[8];

        // Formatted bucket bounds (as `le="…"} `) of the last histogram point, reused while the bounds stay the same.
        private double[] boundsKey = [];
        private byte[][] boundsText = [];

        public void WriteTargetInfo(ScrapeSnapshot snapshot)
        {
            if (snapshot.ResourceAttributes.IsEmpty)
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
            RenderLabels(snapshot.ResourceAttributes, null, reserveLe: false);
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
                    foreach (var point in metric.Points)
                    {
                        RenderLabels(point.Attributes, includeScopeLabels ? metric : null, reserveLe: true);
                        WriteHistogram(bucket, sum, count, point.Histogram!);
                    }
                }
            }
            else
            {
                var sample = Encoding.UTF8.GetBytes(family.Kind == PrometheusMetricKind.Counter ? name + "_total" : name);
                foreach (var metric in family.Metrics)
                {
                    foreach (var point in metric.Points)
                    {
                        RenderLabels(point.Attributes, includeScopeLabels ? metric : null, reserveLe: false);
                        Bytes(sample);
                        WriteLabels();
                        Ascii(" ");
                        Value(point.Value);
                        Ascii("\n");
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

        private void WriteHistogram(byte[] bucket, byte[] sum, byte[] count, HistogramSnapshot histogram)
        {
            var bounds = BoundsText(histogram.UpperBounds);
            var counts = histogram.BucketCounts.AsSpan();
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
            Double(histogram.Sum);
            Ascii("\n");

            Bytes(count);
            WriteLabels();
            Ascii(" ");
            Integer(histogram.Count);
            Ascii("\n");
        }

        /// <summary>`le="bound"} ` per bucket, formatted again only when the bounds differ from the last point's.</summary>
        private byte[][] BoundsText(System.Collections.Immutable.ImmutableArray<double> upperBounds)
        {
            var bounds = upperBounds.AsSpan();

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
        private void RenderLabels(IReadOnlyList<KeyValuePair<string, string>> attributes, MetricSnapshot? scope, bool reserveLe)
        {
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
                var value = labels[i].Value;
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

                Ascii(labelBytes, "\"");
            }
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

        private void Value(SampleValue value)
        {
            if (value.IsInteger)
            {
                Integer(value.Integer);
            }
            else
            {
                Double(value.Double);
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

        public List<MetricSnapshot> Metrics { get; } = [];
    }
}
