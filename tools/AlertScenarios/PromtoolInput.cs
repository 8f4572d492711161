using System.Globalization;
using System.Text;

namespace RelayExporter.AlertScenarios;

/// <summary>
/// Turns a fixture into promtool input series. Promtool time starts at 0, so Unix timestamps in values (the TLS expiry) are
/// made relative to the recording's start; a series that stops is marked stale where Prometheus marked it; the steady state
/// can be repeated to cover a longer time.
/// </summary>
internal static class PromtoolInput
{
    /// <summary>The repeated pattern: 5 minutes, the default interval of the chat and stream checks.</summary>
    public const int RepeatSteps = 20;

    /// <param name="historySteps">Steps of steady history put before the recording, so that the long SLO windows (hours) see
    /// a healthy past as they would in production, rather than the recording's few minutes of baseline.</param>
    public static IReadOnlyList<(string Series, string Values)> Build(Fixture fixture, int historySteps, int totalSteps)
    {
        var result = new List<(string, string)>();
        var recordingStart = fixture.StartUnixSeconds - (long)historySteps * fixture.ScrapeIntervalSeconds;
        foreach (var series in fixture.Series)
        {
            var values = series.Values.Select(v => v is null ? (double?)null : Parse(v)).ToList();
            if (series.Name.EndsWith("_timestamp_seconds", StringComparison.Ordinal))
                values = values.Select(v => v - recordingStart).ToList();
            var counter = IsCounter(series.Name);
            Extend(values, totalSteps, counter);
            var first = values.FindIndex(v => v is not null);
            if (historySteps > 0 && first > 0 && first < fixture.FaultStep)
            {
                result.Add((Selector(series.Labels), Encode(PeriodicHistory(values, first, historySteps, counter))));
                continue;
            }

            var history = History(values, fixture.FaultStep, historySteps, counter);
            result.Add((Selector(series.Labels), history is null ? Encode(values) : $"{history} {Encode(values)}"));
        }

        return result;
    }

    /// <summary>
    /// The baseline as it was before the recording began: gauges at their first value, counters growing at the baseline's
    /// average rate; a series that did not exist yet at the start has no history.
    /// </summary>
    private static string? History(List<double?> values, int faultStep, int steps, bool counter)
    {
        if (steps == 0) return null;
        if (values[0] is not { } first) return $"_x{steps}";
        var last = Enumerable.Range(0, Math.Max(faultStep, 1)).Last(i => values[i] is not null);
        var perStep = counter && last > 0 ? (values[last]!.Value - first) / last : 0;
        // promtool expands a+bxn to a, a+b, … a+n·b: the history ends one step's growth below the first recorded value.
        return perStep == 0 ? $"{Format(first)}x{steps - 1}" : $"{Format(first - steps * perStep)}+{Format(perStep)}x{steps - 1}";
    }

    /// <summary>
    /// A series that first appeared during the baseline: a chat or stream probe, once per interval (5 minutes by default).
    /// Before it, the same probe ran every <see cref="RepeatSteps"/>: a counter grew by what the first probe added (it
    /// started from 0), a gauge held the first value. Counters are raised so that the earliest value is not negative.
    /// </summary>
    private static List<double?> PeriodicHistory(List<double?> values, int first, int historySteps, bool counter)
    {
        var start = historySteps + first;
        var perProbe = counter ? values[first]!.Value : 0;
        var probesBefore = (start + RepeatSteps - 1) / RepeatSteps;
        var offset = perProbe * probesBefore;
        var result = new List<double?>(start + values.Count - first);
        for (var i = 0; i < start; i++)
        {
            var probesSince = (start - i + RepeatSteps - 1) / RepeatSteps;
            result.Add(values[first]!.Value - perProbe * probesSince + offset);
        }

        result.AddRange(values.Skip(first).Select(v => v + offset));
        return result;
    }

    public static string Selector(IReadOnlyDictionary<string, string> labels) =>
        labels["__name__"] + "{" + string.Join(",", labels.Where(l => l.Key != "__name__").OrderBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => $"{l.Key}=\"{l.Value.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"")) + "}";

    private static bool IsCounter(string name) =>
        name.EndsWith("_total", StringComparison.Ordinal) || name.EndsWith("_bucket", StringComparison.Ordinal)
        || name.EndsWith("_count", StringComparison.Ordinal) || name.EndsWith("_sum", StringComparison.Ordinal);

    /// <summary>Each further period repeats the last recorded one; counters keep growing by what they grew in it.</summary>
    private static void Extend(List<double?> values, int totalSteps, bool counter)
    {
        var recorded = values.Count;
        if (totalSteps <= recorded) return;
        if (recorded < RepeatSteps + 1) throw new InvalidOperationException("too short a recording to repeat its steady state");
        var growth = counter && values[^1] is { } last && values[^(RepeatSteps + 1)] is { } before ? last - before : 0;
        for (var i = recorded; i < totalSteps; i++)
            values.Add(values[i - RepeatSteps] is { } earlier ? earlier + growth : null);
    }

    private static double Parse(string value) => value switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(value, CultureInfo.InvariantCulture),
    };

    /// <summary>promtool's expanding notation: <c>a+bxn</c> for n+1 values in steps of b, <c>_xn</c> for n missing samples.</summary>
    private static string Encode(IReadOnlyList<double?> values)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < values.Count)
        {
            if (values[i] is not { } start)
            {
                var blanks = 1;
                while (i + blanks < values.Count && values[i + blanks] is null) blanks++;
                // Prometheus ends a series that stops with a stale marker; without it promtool would keep the last value for 5 minutes.
                var stale = i > 0;
                if (stale) tokens.Add("stale");
                var rest = blanks - (stale ? 1 : 0);
                if (rest > 0) tokens.Add(rest == 1 ? "_" : $"_x{rest}");
                i += blanks;
                continue;
            }

            var run = 0;
            if (i + 1 < values.Count && values[i + 1] is { } next && (next == start || (IsWhole(start) && IsWhole(next))))
            {
                var step = next - start;
                while (i + run + 1 < values.Count && values[i + run + 1] is { } v && (step == 0 ? v == start : IsWhole(v))
                       && v - values[i + run]!.Value == step) run++;
                tokens.Add(step == 0 ? $"{Format(start)}x{run}" : $"{Format(start)}{(step > 0 ? "+" : "-")}{Format(Math.Abs(step))}x{run}");
            }
            else
            {
                tokens.Add(Format(start));
            }

            i += run + 1;
        }

        return string.Join(' ', tokens);
    }

    private static bool IsWhole(double value) => Math.Abs(value) < 1e15 && value == Math.Floor(value);

    private static string Format(double value) => value switch
    {
        double.NaN => "NaN",
        double.PositiveInfinity => "Inf",
        double.NegativeInfinity => "-Inf",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
