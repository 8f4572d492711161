using System.Text;

namespace RelayExporter.Telemetry.Prometheus;

/// <summary>
/// Renders a <see cref="ScrapeSnapshot"/> as Prometheus text 0.0.4 or OpenMetrics 1.0.0. Metrics whose Prometheus
/// names coincide are merged into one family (one TYPE/HELP, series grouped); a later metric whose kind conflicts
/// with the family's is left out. No timestamps are written.
/// </summary>
internal static class PrometheusSerializer
{
    private const string TargetInfoHelp = "Target metadata";

    public static string Serialize(ScrapeSnapshot snapshot, PrometheusFormat format, bool includeScopeLabels = true)
    {
        var builder = new StringBuilder(1024);
        WriteTargetInfo(builder, snapshot, format);
        foreach (var family in GroupFamilies(snapshot))
        {
            WriteFamily(builder, family, format, includeScopeLabels);
        }

        if (format == PrometheusFormat.OpenMetrics100)
        {
            builder.Append("# EOF\n");
        }

        return builder.ToString();
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

    private static void WriteTargetInfo(StringBuilder builder, ScrapeSnapshot snapshot, PrometheusFormat format)
    {
        if (snapshot.ResourceAttributes.IsEmpty)
        {
            return;
        }

        if (format == PrometheusFormat.OpenMetrics100)
        {
            builder.Append("# TYPE target info\n# HELP target ").Append(TargetInfoHelp).Append('\n');
        }
        else
        {
            builder.Append("# HELP target_info ").Append(TargetInfoHelp).Append("\n# TYPE target_info gauge\n");
        }

        builder.Append("target_info");
        WriteLabels(builder, LabelSet(snapshot.ResourceAttributes, null, reserveLe: false), null, format);
        builder.Append(" 1\n");
    }

    private static void WriteFamily(StringBuilder builder, Family family, PrometheusFormat format, bool includeScopeLabels)
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
            builder.Append("# TYPE ").Append(headerName).Append(' ').Append(type).Append('\n');
            if (family.Name.Unit.Length > 0)
            {
                builder.Append("# UNIT ").Append(headerName).Append(' ').Append(family.Name.Unit).Append('\n');
            }

            WriteHelp(builder, headerName, family.Help, format);
        }
        else
        {
            WriteHelp(builder, headerName, family.Help, format);
            builder.Append("# TYPE ").Append(headerName).Append(' ').Append(type).Append('\n');
        }

        foreach (var metric in family.Metrics)
        {
            foreach (var point in metric.Points)
            {
                var labels = LabelSet(point.Attributes, includeScopeLabels ? metric : null, family.Kind == PrometheusMetricKind.Histogram);
                if (family.Kind == PrometheusMetricKind.Histogram)
                {
                    WriteHistogram(builder, name, labels, point.Histogram!, format);
                }
                else
                {
                    builder.Append(family.Kind == PrometheusMetricKind.Counter ? name + "_total" : name);
                    WriteLabels(builder, labels, null, format);
                    builder.Append(' ').Append(PrometheusText.FormatValue(point.Value)).Append('\n');
                }
            }
        }
    }

    private static void WriteHelp(StringBuilder builder, string name, string? help, PrometheusFormat format)
    {
        if (help is null)
        {
            return;
        }

        builder.Append("# HELP ").Append(name).Append(' ');
        PrometheusText.AppendEscapedHelp(builder, help, format);
        builder.Append('\n');
    }

    private static void WriteHistogram(
        StringBuilder builder, string name, List<KeyValuePair<string, string>> labels, HistogramSnapshot histogram, PrometheusFormat format)
    {
        long cumulative = 0;
        for (var i = 0; i < histogram.UpperBounds.Length; i++)
        {
            cumulative += histogram.BucketCounts[i];
            builder.Append(name).Append("_bucket");
            WriteLabels(builder, labels, PrometheusText.FormatBound(histogram.UpperBounds[i], format), format);
            builder.Append(' ').Append(PrometheusText.FormatInteger(cumulative)).Append('\n');
        }

        builder.Append(name).Append("_sum");
        WriteLabels(builder, labels, null, format);
        builder.Append(' ').Append(PrometheusText.FormatDouble(histogram.Sum)).Append('\n');

        builder.Append(name).Append("_count");
        WriteLabels(builder, labels, null, format);
        builder.Append(' ').Append(PrometheusText.FormatInteger(histogram.Count)).Append('\n');
    }

    private static void WriteLabels(StringBuilder builder, List<KeyValuePair<string, string>> labels, string? le, PrometheusFormat format)
    {
        if (labels.Count == 0 && le is null)
        {
            return;
        }

        builder.Append('{');
        var first = true;
        foreach (var label in labels)
        {
            if (!first)
            {
                builder.Append(',');
            }

            first = false;
            builder.Append(label.Key).Append("=\"");
            PrometheusText.AppendEscapedLabelValue(builder, label.Value);
            builder.Append('"');
        }

        if (le is not null)
        {
            builder.Append(first ? string.Empty : ",").Append("le=\"").Append(le).Append('"');
        }

        builder.Append('}');
    }

    /// <summary>
    /// Scope labels first, then attributes ordered by their original key. Attributes whose sanitised names collide
    /// are merged, values joined with <c>;</c> in original-key order (per the compatibility spec).
    /// </summary>
    private static List<KeyValuePair<string, string>> LabelSet(
        IReadOnlyList<KeyValuePair<string, string>> attributes, MetricSnapshot? scope, bool reserveLe)
    {
        var labels = new List<KeyValuePair<string, string>>(attributes.Count + 2);
        if (scope is not null)
        {
            labels.Add(new("otel_scope_name", scope.MeterName));
            if (!string.IsNullOrEmpty(scope.MeterVersion))
            {
                labels.Add(new("otel_scope_version", scope.MeterVersion));
            }
        }

        var scopeCount = labels.Count;
        foreach (var attribute in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var name = PrometheusNaming.SanitizeLabelName(attribute.Key);
            if (reserveLe && name == "le")
            {
                name = "key_le"; // "le" is reserved for histogram buckets
            }

            var index = labels.FindIndex(scopeCount, l => l.Key == name);
            if (index >= 0)
            {
                labels[index] = new(name, labels[index].Value + ";" + attribute.Value);
            }
            else
            {
                labels.Add(new(name, attribute.Value));
            }
        }

        return labels;
    }

    private sealed class Family(PrometheusFamilyName name, PrometheusMetricKind kind, string? help)
    {
        public PrometheusFamilyName Name { get; } = name;

        public PrometheusMetricKind Kind { get; } = kind;

        public string? Help { get; set; } = string.IsNullOrEmpty(help) ? null : help;

        public List<MetricSnapshot> Metrics { get; } = [];
    }
}
