using RelayExporter.Configuration;
using RelayExporter.Probing;

namespace RelayExporter.Telemetry;

/// <summary>
/// How many series each instrument may hold before OpenTelemetry folds the rest into one overflow series
/// (<c>otel_metric_overflow="true"</c>). The SDK allocates every stream's points up front (~90 bytes each), so each
/// instrument gets what the configured fleet needs, not one large limit for all; a reload that grows the fleet
/// restarts the instruments with new limits (<see cref="ExporterMetrics"/>). Instruments whose label values the
/// configuration cannot predict (<see cref="OpenEndedSeries"/>) start sized for a fleet that behaves and are restarted
/// with room for half as many again as they hold when they run short.
/// </summary>
public sealed class CardinalityLimits
{
    internal const int Minimum = 256;

    /// <summary>Distinct outcomes a series is expected to see to begin with: a success and one way of failing.</summary>
    private const int OutcomesPerSeries = 2;

    /// <summary>Providers a relay's health document is expected to list to begin with (each is capped at 32).</summary>
    private const int ProvidersPerRelay = 4;

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
        // Upstream-chosen names grow no further than every relay listing its most: a relay that renames its providers
        // forever must not grow memory forever (beyond the ceiling, the SDK's overflow series takes them).
        if (Ceiling(instrument, SizedFor) is { } ceiling) needed = Math.Min(needed, ceiling);
        // Headroom only where the configuration cannot predict the series (outcomes, providers, GenAI error types and response models): the
        // others are counted exactly, and a reload that adds to them restarts the instruments.
        return Minimum + needed + (IsOpenEnded(instrument) ? needed / 8 : 0);
    }

    internal static bool IsOpenEnded(string instrument) => OpenEndedSeries.Instruments.Contains(instrument);

    private static int? Ceiling(string instrument, FleetSize fleet) => instrument switch
    {
        "relay_upstream_available" or "relay_upstream_latency" => fleet.RelayHealthChecks * RelayHealthDocument.MaxProviders,
        _ => null,
    };

    private static int Estimate(string instrument, FleetSize fleet) =>
        instrument switch
        {
            "relay_probes" => fleet.Series * OutcomesPerSeries,
            "relay_probe_phase_duration" => fleet.Series * 5,
            "relay_probe_duration" or "relay_probe_success" or "relay_probe_http_status_code" or "relay_probe_http_version" => fleet.Series,
            // Only targets that answer 429 or 503 with a Retry-After skip any probe (retry_after); every paid series skips
            // once the day's budget is spent (budget_exhausted), those of a target that is down before (target_down).
            "relay_probes_skipped" => fleet.Series / 4 + fleet.ModelSeries + fleet.ModelSeries / 4,
            "relay_upstream_available" or "relay_upstream_latency" => fleet.RelayHealthChecks * ProvidersPerRelay,
            "relay_active_nodes" or "relay_queue_depth" or "relay_health_document_problems" => fleet.RelayHealthChecks,
            "relay_upstream_values_refused" => fleet.RelayHealthChecks * UpstreamValueRefusal.All.Count,
            "relay_target_health_state" => fleet.Targets * 4,
            "relay_model_health_state" => fleet.Models * 4,
            // Two circuits per target (reachability, api), one per target × model that a chat or stream check probes;
            // most never leave closed.
            "relay_circuit_state" => (fleet.Targets * 2 + fleet.ModelCircuits) * 4,
            "relay_circuit_transitions" => (fleet.Targets * 2 + fleet.ModelCircuits) * 2,
            "relay_rate_limit_remaining" => fleet.Targets * 2,
            "relay_target_health" or "relay_target_consecutive_failures" or "relay_tls_certificate_expiry_timestamp" => fleet.Targets,
            "relay_model_health" or "relay_model_consecutive_failures" or "relay_model_listed" => fleet.Models,
            // At most one direct provider per relay target × model.
            "relay_direct_pair_info" => fleet.Models,
            // Per model series of the chat and stream checks; tokens twice (input, output).
            "relay_probe_tokens" => fleet.ModelSeries * 2,
            // GenAI instruments (none unless configured): per target × model, as chat and stream probes share their attributes.
            "gen_ai.client.operation.duration" => fleet.GenAiModels * OutcomesPerSeries,
            "gen_ai.client.token.usage" => fleet.GenAiModels * 2,
            "gen_ai.client.operation.time_to_first_chunk" or "gen_ai.client.operation.time_per_output_chunk" => fleet.GenAiStreamedModels,
            "relay_probe_time_to_first_token" or "relay_probe_time_per_output_token" or "relay_probe_cost_usd" => fleet.ModelSeries,
            _ => 0, // the exporter's own metrics: a handful of series
        };
}

/// <summary>The counts the cardinality limits are sized from.</summary>
/// <param name="GenAiModels">Target × model pairs recorded by the GenAI instruments: 0 unless <c>metrics.gen_ai</c> is on.</param>
/// <param name="GenAiStreamedModels">Of those, the pairs a stream check probes.</param>
internal readonly record struct FleetSize(int Series, int Targets, int Models, int ModelSeries, int ModelCircuits, int RelayHealthChecks,
    int GenAiModels, int GenAiStreamedModels)
{
    public static FleetSize Of(ExporterOptions options)
    {
        var plan = ProbePlan.From(options);
        var modelCircuits = plan.Where(j => j.Model is not null).Select(j => (j.Key.Target, j.Key.Model)).Distinct().Count();
        var genAi = options.Metrics.GenAi;
        return new FleetSize(
            plan.Count,
            options.Targets.Count,
            options.Targets.Sum(t => t.Models.Count),
            plan.Count(j => j.Model is not null),
            modelCircuits,
            plan.Count(j => j.Check == CheckNames.Health),
            genAi ? modelCircuits : 0,
            genAi ? plan.Count(j => j.Check == CheckNames.Stream) : 0);
    }

    /// <summary>True when any count is larger than this size's, i.e. limits sized for this would be too small.</summary>
    public bool Exceeds(FleetSize sized) =>
        Series > sized.Series || Targets > sized.Targets || Models > sized.Models || ModelSeries > sized.ModelSeries
        || ModelCircuits > sized.ModelCircuits || RelayHealthChecks > sized.RelayHealthChecks
        || GenAiModels > sized.GenAiModels || GenAiStreamedModels > sized.GenAiStreamedModels;
}
