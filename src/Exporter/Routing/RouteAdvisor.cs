using Polly.CircuitBreaker;
using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Health;
using RelayExporter.Status;

namespace RelayExporter.Routing;

/// <summary>
/// Answers "which endpoint should serve model M right now?": the targets that can, best first — healthy before
/// degraded before unknown, then lower recent latency — without unhealthy targets or open circuits; when none can,
/// the configured fallback chain, saying which model it fell back to and why.
/// </summary>
public sealed class RouteAdvisor(RunningConfig config, TargetStatusReport report, TimeProvider time)
{
    /// <returns>Null when no target serves the model and it has no fallback chain.</returns>
    public RouteAdvice? Advise(string model)
    {
        var options = config.Current;
        var now = time.GetUtcNow();
        var statuses = options.Targets.Select(t => report.Target(t, now)).ToList();
        var chain = options.Fallbacks.GetValueOrDefault(model) ?? [];
        if (!statuses.Any(s => s.Models.Any(m => m.Name == model)) && chain.Count == 0) return null;

        var (candidates, why) = Candidates(statuses, model);
        if (candidates.Count > 0) return new RouteAdvice(model, model, null, candidates, null);
        foreach (var alternative in chain)
        {
            var (fallback, _) = Candidates(statuses, alternative);
            if (fallback.Count > 0) return new RouteAdvice(model, alternative, new FallbackNote(model, alternative, $"no target can serve {model}: {why}"), fallback, null);
        }
        return new RouteAdvice(model, null, null, [],
            $"no target can serve {model} ({why})" + (chain.Count > 0 ? $" nor any of its fallbacks: {string.Join(", ", chain)}" : " and it has no fallback chain"));
    }

    private static (List<RouteCandidate> Candidates, string WhyNone) Candidates(IEnumerable<TargetStatus> statuses, string model)
    {
        var candidates = new List<(RouteCandidate Candidate, int Rank)>();
        var excluded = new List<string>();
        foreach (var target in statuses)
        {
            if (target.Models.FirstOrDefault(m => m.Name == model) is not { } status) continue;
            var state = Worse(Parse(target.State), Parse(status.State));
            var circuit = IsOpen(target.Circuit) ? target.Circuit : status.Circuit;
            if (IsOpen(circuit)) { excluded.Add($"{target.Name} circuit {circuit}"); continue; }
            if (state == HealthState.Unhealthy) { excluded.Add($"{target.Name} unhealthy"); continue; }
            var rank = state switch { HealthState.Healthy => 0, HealthState.Degraded => 1, _ => 2 };
            var latency = status.Latency?.P50Seconds ?? target.Latency?.P50Seconds;
            candidates.Add((new RouteCandidate(target.Name, target.BaseUrl, model, state.Label(), circuit, latency), rank));
        }
        var ordered = candidates.OrderBy(c => c.Rank).ThenBy(c => c.Candidate.LatencyP50Seconds ?? double.MaxValue).Select(c => c.Candidate).ToList();
        return (ordered, excluded.Count > 0 ? string.Join(", ", excluded) : "no target is configured for it");
    }

    private static bool IsOpen(string circuit) => circuit == CircuitState.Open.Label() || circuit == CircuitState.Isolated.Label();

    private static HealthState Parse(string state) => HealthStateValues.All.First(s => s.Label() == state);

    /// <summary>The worse of two states; unknown only when both are unknown.</summary>
    private static HealthState Worse(HealthState a, HealthState b) =>
        a == HealthState.Unknown ? b : b == HealthState.Unknown ? a : (HealthState)Math.Max((int)a, (int)b);
}
