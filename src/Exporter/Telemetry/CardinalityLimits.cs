using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Telemetry.Catalog;

namespace RelayExporter.Telemetry;

/// <summary>
/// How many series each instrument may hold before OpenTelemetry folds the rest into one overflow series
/// (<c>otel_metric_overflow="true"</c>). The SDK allocates every stream's points up front (~90 bytes each), so each
/// instrument gets what the configured fleet needs (its <see cref="MetricDefinition.Series"/> in the catalog), not one
/// large limit for all; a reload that grows the fleet restarts the instruments with new limits (<see cref="ExporterMetrics"/>).
/// Instruments whose label values the configuration cannot predict (<see cref="MetricDefinition.OpenEnded"/>, counted by
/// <see cref="OpenEndedSeries"/>) start sized for a fleet that behaves and are restarted with room for half as many again
/// as they hold when they run short.
/// </summary>
public sealed class CardinalityLimits
{
    internal const int Minimum = 256;

    /// <summary>The fleet the current instruments were sized for; set before they are created.</summary>
    internal FleetSize SizedFor { get; set; }

    /// <summary>Series the open-ended instruments held when the current ones were sized (none at start).</summary>
    internal IReadOnlyDictionary<string, int> ObservedWhenSized { get; set; } = new Dictionary<string, int>();

    /// <summary>
    /// True when an open-ended instrument is within a quarter of <see cref="Minimum"/> of its limit and a restart would
    /// raise that limit (not at its ceiling).
    /// </summary>
    internal bool TooSmallFor(IReadOnlyDictionary<string, int> openEnded) =>
        openEnded.Any(instrument => instrument.Value > For(instrument.Key) - Minimum / 4
            && Limit(instrument.Key, instrument.Value) > For(instrument.Key));

    public int For(string instrument) => Limit(instrument, ObservedWhenSized.GetValueOrDefault(instrument));

    /// <summary>Series the configuration predicts for the instrument (0 for the exporter's own few).</summary>
    internal int Predicted(string instrument) => Estimate(instrument, SizedFor);

    private int Limit(string instrument, int observed)
    {
        var needed = Math.Max(Estimate(instrument, SizedFor), observed * 3 / 2);
        if (MetricCatalog.Find(instrument)?.Ceiling is { } ceiling) needed = Math.Min(needed, ceiling(SizedFor));
        // Headroom only where the configuration cannot predict the series (outcomes, providers, GenAI error types and response models): the
        // others are counted exactly, and a reload that adds to them restarts the instruments.
        return Minimum + needed + (IsOpenEnded(instrument) ? needed / 8 : 0);
    }

    internal static bool IsOpenEnded(string instrument) => MetricCatalog.Find(instrument)?.OpenEnded ?? false;

    // An instrument missing from the catalog cannot be created from it; a test fails if one is published all the same.
    private static int Estimate(string instrument, FleetSize fleet) => MetricCatalog.Find(instrument)?.Series(fleet) ?? 0;
}

/// <summary>The counts the cardinality limits are sized from.</summary>
/// <param name="GenAiModels">Target × model pairs recorded by the GenAI instruments: 0 unless <c>metrics.gen_ai</c> is on.</param>
/// <param name="GenAiStreamedModels">Of those, the pairs a stream check probes.</param>
internal readonly record struct FleetSize(int Series, int Targets, int Models, int ModelSeries, int ModelCircuits, int RelayHealthChecks,
    int GenAiModels, int GenAiStreamedModels)
{
    public static FleetSize Of(ExporterOptions options) => Of(options, ProbePlan.From(options));

    /// <param name="plan">The configuration's plan, <see cref="ProbePlan.From"/> of <paramref name="options"/>.</param>
    public static FleetSize Of(ExporterOptions options, IReadOnlyList<ProbeJob> plan)
    {
        var modelCircuits = plan.Where(j => j.Model is not null).Select(j => (j.Key.Target, j.Key.Model)).Distinct().Count();
        var genAi = options.Metrics.GenAi;
        return new FleetSize(
            plan.Count,
            options.Targets.Count,
            options.Targets.Sum(t => t.Models.Count),
            plan.Count(j => j.Model is not null),
            modelCircuits,
            plan.Count(j => j.Check == CheckKinds.Health.Name),
            genAi ? modelCircuits : 0,
            genAi ? plan.Count(j => j.Check == CheckKinds.Stream.Name) : 0);
    }

    /// <summary>True when any count is larger than this size's, i.e. limits sized for this would be too small.</summary>
    public bool Exceeds(FleetSize sized) =>
        Series > sized.Series || Targets > sized.Targets || Models > sized.Models || ModelSeries > sized.ModelSeries
        || ModelCircuits > sized.ModelCircuits || RelayHealthChecks > sized.RelayHealthChecks
        || GenAiModels > sized.GenAiModels || GenAiStreamedModels > sized.GenAiStreamedModels;
}
