using Polly.CircuitBreaker;
using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Health;
using RelayExporter.Probing;

namespace RelayExporter.Status;

/// <summary>Assembles what the exporter knows about each target, for the status API and page and the routing answer.</summary>
public sealed class TargetStatusReport(RunningConfig config, ProbeResultStore results, HealthBoard health, CircuitBoard circuits, TimeProvider time)
{
    private const int RecentProbes = 20;

    public TargetsResponse Build()
    {
        var now = time.GetUtcNow();
        return new TargetsResponse(now, config.Current.Targets.Select(t => Target(t, now)).ToList());
    }

    public TargetStatus Target(TargetOptions target, DateTimeOffset now)
    {
        var history = results.History(target.Name);
        var own = history.Where(r => r.Key.Model is null).ToList();
        var last = own.LastOrDefault() ?? history.LastOrDefault();
        var tracker = health.ForTarget(target.Name);
        var upstreams = history.LastOrDefault(r => r.Health is not null)?.Health?.Providers
            .Select(p => new UpstreamReport(p.Provider, p.Available, p.LatencySeconds)).ToList() ?? [];
        return new TargetStatus(
            target.Name, target.Kind.ToString().ToLowerInvariant(), target.Protocol!.Value.ToString().ToLowerInvariant(), target.BaseUrl,
            (tracker?.StateAt(now) ?? HealthState.Unknown).Label(), tracker?.ChangedAt, tracker?.ConsecutiveFailures ?? 0,
            CircuitOf(new CircuitKey(target.Name, null)).Label(),
            last?.Outcome.Label(), last?.Reason, last?.StartedAt, Latency(own),
            target.Models.Select(m => Model(target, m, history, now)).ToList(),
            upstreams,
            history.TakeLast(RecentProbes).Reverse()
                .Select(r => new ProbeSummary(r.StartedAt, r.Key.Check, r.Key.Model, r.Outcome.Label(), r.Duration.TotalSeconds, r.Reason)).ToList());
    }

    private ModelStatus Model(TargetOptions target, string model, IReadOnlyList<ProbeResult> history, DateTimeOffset now)
    {
        var own = history.Where(r => r.Key.Model == model).ToList();
        var last = own.LastOrDefault();
        var listed = history.LastOrDefault(r => r.ModelsListed?.ContainsKey(model) == true)?.ModelsListed![model];
        return new ModelStatus(model, (health.ForModel(target.Name, model)?.StateAt(now) ?? HealthState.Unknown).Label(),
            CircuitOf(new CircuitKey(target.Name, model)).Label(), listed, last?.Outcome.Label(), last?.Reason, Latency(own));
    }

    private CircuitState CircuitOf(CircuitKey key) => circuits.Find(key)?.State ?? CircuitState.Closed;

    private static LatencySummary? Latency(IEnumerable<ProbeResult> probes) =>
        LatencySummary.Of(probes.Where(r => r.Succeeded).Select(r => r.Duration));
}
