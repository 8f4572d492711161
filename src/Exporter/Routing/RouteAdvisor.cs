using Polly.CircuitBreaker;
using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Health;
using RelayExporter.Probing;
using RelayExporter.Status;
using RelayExporter.Outcomes;

namespace RelayExporter.Routing;

/// <summary>
/// Answers "which endpoint should serve model M right now?": the targets that can, best first — healthy before
/// degraded before unknown (never probed for M, or no longer), then lower recent latency — without unhealthy
/// targets or open circuits; when none can, the configured fallback chain, saying which model it fell back to and why.
/// </summary>
public sealed class RouteAdvisor(RunningConfig config, HealthBoard health, CircuitBoard circuits, ProbeResultStore results, TimeProvider time)
{
    /// <returns>Null when no target serves the model and it has no fallback chain.</returns>
    public RouteAdvice? Advise(string model)
    {
        var options = config.Current;
        var now = time.GetUtcNow();
        var chain = options.Fallbacks.GetValueOrDefault(model) ?? [];
        if (!options.Targets.Any(t => t.Models.Contains(model)) && chain.Count == 0) return null;

        var (candidates, excluded) = Candidates(options, model, now);
        if (candidates.Count > 0) return new RouteAdvice(model, model, null, candidates, excluded, null);
        var why = WhyNone(excluded);
        foreach (var alternative in chain)
        {
            var (fallback, fallbackExcluded) = Candidates(options, alternative, now);
            if (fallback.Count > 0)
                return new RouteAdvice(model, alternative, new FallbackNote(model, alternative, $"no target can serve {model}: {why}"), fallback, fallbackExcluded, null);
        }
        return new RouteAdvice(model, null, null, [], excluded,
            $"no target can serve {model} ({why})" + (chain.Count > 0 ? $" nor any of its fallbacks: {string.Join(", ", chain)}" : " and it has no fallback chain"));
    }

    private (List<RouteCandidate> Candidates, List<RouteExclusion> Excluded) Candidates(ExporterOptions options, string model, DateTimeOffset now)
    {
        var candidates = new List<(RouteCandidate Candidate, HealthState State)>();
        var excluded = new List<RouteExclusion>();
        foreach (var target in options.Targets.Where(t => t.Models.Contains(model)))
        {
            var (state, circuit, exclusion) = Judge(target, model, now);
            if (exclusion is not null) { excluded.Add(new RouteExclusion(target.Name, model, exclusion)); continue; }
            var history = results.History(target.Name);
            var latency = LatencySummary.Of(Durations(history, model)) ?? LatencySummary.Of(Durations(history, null));
            candidates.Add((new RouteCandidate(target.Name, target.BaseUrl, model, state.Label(), circuit.Label(), latency?.P50Seconds,
                Explain(state, latency, history.Any(p => p.Model == model))), state));
        }
        var ordered = candidates
            .OrderBy(c => c.State switch { HealthState.Healthy => 0, HealthState.Degraded => 1, _ => 2 })
            .ThenBy(c => c.Candidate.LatencyP50Seconds ?? double.MaxValue)
            .Select(c => c.Candidate).ToList();
        return (ordered, excluded);
    }

    /// <summary>The target's state for the model, its circuit, and why it must not serve the model (null when it may).</summary>
    private (HealthState State, CircuitState Circuit, string? Exclusion) Judge(TargetOptions target, string model, DateTimeOffset now)
    {
        // The target's own circuits: its reachability (health check) and its API (models check), the worse of them.
        var targetCircuit = new[] { CircuitKey.Reachability(target.Name), CircuitKey.Api(target.Name) }
            .Select(key => circuits.Find(key)?.State ?? CircuitState.Closed).MaxBy(state => state.Severity());
        var modelCircuit = circuits.Find(CircuitKey.ForModel(target.Name, model))?.State ?? CircuitState.Closed;
        var circuit = IsOpen(targetCircuit) ? targetCircuit : modelCircuit;
        if (IsOpen(targetCircuit)) return (HealthState.Unknown, circuit, $"circuit {targetCircuit.Label()}");
        if (IsOpen(modelCircuit)) return (HealthState.Unknown, circuit, $"circuit {modelCircuit.Label()} for {model}");

        var modelState = health.ForModel(target.Name, model)?.StateAt(now) ?? HealthState.Unknown;
        if (modelState == HealthState.Unhealthy) return (modelState, circuit, $"unhealthy for {model}{LastFailure(target, model)}");
        var targetState = health.ForTarget(target.Name)?.StateAt(now) ?? HealthState.Unknown;
        if (!FailsFor(target, model)) targetState = HealthState.Unknown;
        if (targetState == HealthState.Unhealthy) return (targetState, circuit, $"unhealthy{LastFailure(target, null)}");
        // Nothing is known of the model here until it is probed or listed: a healthy target does not make it so.
        return (modelState == HealthState.Unknown ? HealthState.Unknown : Worse(targetState, modelState), circuit, null);
    }

    /// <summary>
    /// Whether the target's own checks failing count against the model: not when all they found is that the models
    /// list lacks other configured models while it lists this one — the target answers, and offers it.
    /// </summary>
    private bool FailsFor(TargetOptions target, string model) =>
        target.EffectiveChecks.Keys.Where(c => !CheckKinds.Of(c).PerModel)
            .Select(c => results.LatestOf(new ProbeKey(target.Name, c, null)))
            .Any(r => r is { Succeeded: false } && !(r.Outcome == ProbeOutcome.ModelMissing && r.ModelsListed?.Contains(new ModelListing(model, true)) == true));

    private string LastFailure(TargetOptions target, string? model) =>
        results.History(target.Name).LastOrDefault(p => p.Model == model && !p.Succeeded) is { Check: not null } last
            ? $", last {last.Check} probe {last.Outcome.Label()}"
            : "";

    private static string Explain(HealthState state, LatencySummary? latency, bool probed) => state switch
    {
        HealthState.Unknown => probed ? "unknown: no recent probe" : "unknown: not probed yet",
        _ => $"{state.Label()}, " + (latency is null ? "no latency measured yet" : $"p50 {latency.P50Seconds * 1000:0} ms"),
    };

    private static IEnumerable<TimeSpan> Durations(IEnumerable<RecentProbe> history, string? model) =>
        history.Where(p => p.Model == model && p.Succeeded).Select(p => p.Duration);

    private static string WhyNone(List<RouteExclusion> excluded) =>
        excluded.Count > 0 ? string.Join(", ", excluded.Select(e => $"{e.Target} {e.Reason}")) : "no target is configured for it";

    private static bool IsOpen(CircuitState circuit) => circuit is CircuitState.Open or CircuitState.Isolated;

    /// <summary>The worse of two states; unknown only when both are unknown.</summary>
    private static HealthState Worse(HealthState a, HealthState b) =>
        a == HealthState.Unknown ? b : b == HealthState.Unknown ? a : (HealthState)Math.Max((int)a, (int)b);
}
