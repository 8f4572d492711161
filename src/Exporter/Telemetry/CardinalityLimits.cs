using RelayExporter.Configuration;
using RelayExporter.Probing;

namespace RelayExporter.Telemetry;

/// <summary>
/// How many series each instrument may hold before OpenTelemetry folds the rest into an overflow series. The SDK
/// allocates every stream's points up front, so each instrument gets what the configured fleet needs (twice, for
/// targets added by a reload), not one large limit for all.
/// </summary>
internal static class CardinalityLimits
{
    private const int Minimum = 2000;

    public static int For(string instrument, ExporterOptions options)
    {
        var series = ProbePlan.From(options).Count;
        var targets = options.Targets.Count;
        var models = options.Targets.Sum(t => t.Models.Count);
        var needed = instrument switch
        {
            "relay_probes" => series * ProbeOutcomeLabels.All.Count,
            "relay_probe_phase_duration" => series * 5,
            "relay_upstream_available" or "relay_upstream_latency" => targets * RelayHealthDocument.MaxProviders,
            "relay_target_health_state" => targets * 4,
            "relay_model_health_state" => models * 4,
            "relay_circuit_state" or "relay_circuit_transitions" => (targets + models) * 4,
            "relay_rate_limit_remaining" => targets * 4,
            "relay_probe_tokens" or "gen_ai.client.token.usage" => models * 2,
            _ when instrument.StartsWith("gen_ai.", StringComparison.Ordinal) => models * 2,
            _ when instrument.StartsWith("relay_exporter_", StringComparison.Ordinal) => 0,
            _ => series,
        };
        return Math.Max(Minimum, needed * 2);
    }
}
