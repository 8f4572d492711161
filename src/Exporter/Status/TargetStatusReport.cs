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
        var own = history.Where(r => r.Model is null).ToList();
        RecentProbe? last = own.Count > 0 ? own[^1] : history.Count > 0 ? history[^1] : null;
        var tracker = health.ForTarget(target.Name);
        // The health document and the models list are the latest of their own series, however many probes of
        // other checks came after them.
        var upstreams = results.LatestOf(new ProbeKey(target.Name, CheckNames.Health, null))?.Health?.Providers
            .Select(p => new UpstreamReport(p.Provider, p.Available, p.LatencySeconds)).ToList() ?? [];
        var listed = results.LatestOf(new ProbeKey(target.Name, CheckNames.Models, null))?.ModelsListed;
        return new TargetStatus(
            target.Name, target.Kind.ToString().ToLowerInvariant(), target.Protocol!.Value.ToString().ToLowerInvariant(), target.BaseUrl,
            (tracker?.StateAt(now) ?? HealthState.Unknown).Label(), tracker?.ChangedAt, tracker?.ConsecutiveFailures ?? 0,
            CircuitOf(new CircuitKey(target.Name, null)).Label(),
            last?.Outcome.Label(), last?.Reason, last?.StartedAt, Latency(own),
            target.Models.Select(m => Model(target, m, history, listed, now)).ToList(),
            upstreams,
            history.TakeLast(RecentProbes).Reverse()
                .Select(r => new ProbeSummary(r.StartedAt, r.Check, r.Model, r.Outcome.Label(), r.Duration.TotalSeconds, r.Reason)).ToList());
    }

    private ModelStatus Model(TargetOptions target, string model, IReadOnlyList<RecentProbe> history, IReadOnlyList<ModelListing>? listed, DateTimeOffset now)
    {
        var own = history.Where(r => r.Model == model).ToList();
        RecentProbe? last = own.Count > 0 ? own[^1] : null;
        return new ModelStatus(model, (health.ForModel(target.Name, model)?.StateAt(now) ?? HealthState.Unknown).Label(),
            CircuitOf(new CircuitKey(target.Name, model)).Label(), listed?.Where(l => l.Model == model).Select(l => (bool?)l.Listed).FirstOrDefault(),
            last?.Outcome.Label(), last?.Reason, Latency(own));
    }

    private CircuitState CircuitOf(CircuitKey key) => circuits.Find(key)?.State ?? CircuitState.Closed;

    private static LatencySummary? Latency(IEnumerable<RecentProbe> probes) =>
        LatencySummary.Of(probes.Where(r => r.Succeeded).Select(r => r.Duration));
}
