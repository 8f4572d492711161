using System.Globalization;
using System.Text;

namespace RelayExporter.Telemetry.Prometheus;

/// <summary>Number formatting and escaping shared by both exposition formats.</summary>
internal static class PrometheusText
{
    /// <summary>Round-trippable, invariant; <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static string FormatDouble(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }

        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A bucket bound for <c>le</c>. OpenMetrics wants canonical floats (<c>1.0</c>, not <c>1</c>).
    /// </summary>
    public static string FormatBound(double bound, PrometheusFormat format)
    {
        var text = FormatDouble(bound);
        if (format == PrometheusFormat.OpenMetrics100 && double.IsFinite(bound) && text.AsSpan().IndexOfAny(".Ee") < 0)
        {
            text += ".0";
        }

        return text;
    }

    /// <summary>Label values: <c>\</c> → <c>\\</c>, <c>"</c> → <c>\"</c>, newline → <c>\n</c>.</summary>
    public static void AppendEscapedLabelValue(StringBuilder builder, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': builder.Append(@"\\"); break;
                case '"': builder.Append("\\\""); break;
                case '\n': builder.Append(@"\n"); break;
                default: builder.Append(c); break;
            }
        }
    }

    /// <summary>HELP text: <c>\</c> and newline escaped; OpenMetrics also escapes <c>"</c>.</summary>
    public static void AppendEscapedHelp(StringBuilder builder, string help, PrometheusFormat format)
    {
        foreach (var c in help)
        {
            switch (c)
            {
                case '\\': builder.Append(@"\\"); break;
                case '\n': builder.Append(@"\n"); break;
                case '"' when format == PrometheusFormat.OpenMetrics100: builder.Append("\\\""); break;
                default: builder.Append(c); break;
            }
        }
    }
}
