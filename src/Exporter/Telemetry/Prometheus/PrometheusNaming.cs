using System.Text;

namespace RelayExporter.Telemetry.Prometheus;

/// <summary>A metric family's Prometheus name and the unit suffix it carries ("" when none).</summary>
internal readonly record struct PrometheusFamilyName(string Name, string Unit);

/// <summary>OpenTelemetry→Prometheus name translation (metric names, unit suffixes, label names).</summary>
internal static class PrometheusNaming
{
    private static readonly Dictionary<string, string> Units = new(StringComparer.Ordinal)
    {
        // Time
        ["d"] = "days", ["h"] = "hours", ["min"] = "minutes", ["s"] = "seconds",
        ["ms"] = "milliseconds", ["us"] = "microseconds", ["ns"] = "nanoseconds",

        // Bytes
        ["By"] = "bytes", ["KiBy"] = "kibibytes", ["MiBy"] = "mebibytes", ["GiBy"] = "gibibytes", ["TiBy"] = "tibibytes",
        ["KBy"] = "kilobytes", ["MBy"] = "megabytes", ["GBy"] = "gigabytes", ["TBy"] = "terabytes",

        // SI
        ["m"] = "meters", ["V"] = "volts", ["A"] = "amperes", ["J"] = "joules", ["W"] = "watts", ["g"] = "grams",

        // Misc
        ["Cel"] = "celsius", ["Hz"] = "hertz", ["%"] = "percent",
    };

    private static readonly Dictionary<string, string> PerUnits = new(StringComparer.Ordinal)
    {
        ["s"] = "second", ["m"] = "minute", ["h"] = "hour", ["d"] = "day", ["w"] = "week", ["mo"] = "month", ["y"] = "year",
    };

    /// <summary>
    /// The family name: sanitised, unit suffix appended unless already present; for counters without the
    /// <c>_total</c> suffix (added to sample names by the serializer).
    /// </summary>
    public static PrometheusFamilyName FamilyName(string metricName, string? unit, PrometheusMetricKind kind)
    {
        var name = SanitizeMetricName(metricName);
        if (kind == PrometheusMetricKind.Counter)
        {
            name = StripSuffix(name, "_total");
        }

        var suffix = UnitSuffix(unit);
        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal) && name != suffix)
        {
            name = CollapseUnderscores(name + "_" + suffix);
        }

        // OpenMetrics requires a family's unit to be a "_"-separated suffix of its name ("seconds" alone is not).
        return new PrometheusFamilyName(name, name.EndsWith("_" + suffix, StringComparison.Ordinal) ? suffix : string.Empty);
    }

    /// <summary>Invalid characters (outside <c>[a-zA-Z0-9_:]</c>) become <c>_</c>, runs of <c>_</c> collapse, a leading digit gets a <c>_</c> prefix.</summary>
    public static string SanitizeMetricName(string name)
    {
        var sanitized = Sanitize(name, allowColon: true);
        return sanitized.Length == 0 || char.IsAsciiDigit(sanitized[0]) ? "_" + sanitized : sanitized;
    }

    /// <summary>Invalid characters (outside <c>[a-zA-Z0-9_]</c>) become <c>_</c>, runs of <c>_</c> collapse (so no reserved <c>__</c> prefix), a leading digit gets a <c>key_</c> prefix.</summary>
    public static string SanitizeLabelName(string name)
    {
        var sanitized = Sanitize(name, allowColon: false);
        if (sanitized.Length == 0)
        {
            return "key_";
        }

        return char.IsAsciiDigit(sanitized[0]) ? "key_" + sanitized : sanitized;
    }

    /// <summary>The Prometheus unit suffix for a UCUM unit: "" for none, <c>1</c> or annotations like <c>{request}</c>.</summary>
    public static string UnitSuffix(string? unit)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            return string.Empty;
        }

        var withoutAnnotations = RemoveAnnotations(unit).Trim();
        if (withoutAnnotations.Length == 0 || withoutAnnotations == "1")
        {
            return string.Empty;
        }

        var slash = withoutAnnotations.IndexOf('/');
        if (slash < 0)
        {
            return MapUnit(withoutAnnotations, Units);
        }

        var numerator = withoutAnnotations[..slash].Trim();
        var denominator = MapUnit(withoutAnnotations[(slash + 1)..].Trim(), PerUnits);
        var mappedNumerator = numerator.Length == 0 || numerator == "1" ? string.Empty : MapUnit(numerator, Units);
        if (denominator.Length == 0)
        {
            return mappedNumerator;
        }

        return mappedNumerator.Length == 0 ? "per_" + denominator : mappedNumerator + "_per_" + denominator;
    }

    private static string MapUnit(string unit, Dictionary<string, string> table) =>
        table.TryGetValue(unit, out var mapped) ? mapped : Sanitize(unit, allowColon: false).Trim('_');

    private static string RemoveAnnotations(string unit)
    {
        var builder = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static string StripSuffix(string name, string suffix) =>
        name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.Ordinal) ? name[..^suffix.Length] : name;

    private static string Sanitize(string name, bool allowColon)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            var valid = char.IsAsciiLetter(c) || char.IsAsciiDigit(c) || c == '_' || (allowColon && c == ':');
            var mapped = valid ? c : '_';
            if (mapped == '_' && builder.Length > 0 && builder[^1] == '_')
            {
                continue;
            }

            builder.Append(mapped);
        }

        return builder.ToString();
    }

    private static string CollapseUnderscores(string name) => Sanitize(name, allowColon: true);
}
