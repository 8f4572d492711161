using Polly.CircuitBreaker;
using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Health;
using RelayExporter.Probing;
using RelayExporter.Spending;
using RelayExporter.Outcomes;

namespace RelayExporter.Status;

/// <summary>Assembles what the exporter knows about each target, for the status API and page and the routing answer.</summary>
public sealed class TargetStatusReport(RunningConfig config, ProbeResultStore results, HealthBoard health, CircuitBoard circuits, DailySpend spend,
    TimeProvider time)
{
    private const int RecentProbes = 20;

    public TargetsResponse Build()
    {
        var now = time.GetUtcNow();
        return new TargetsResponse(now, Spend(), config.Current.Targets.Select(t => Target(t, now)).ToList());
    }

    private SpendStatus Spend()
    {
        var exhausted = spend.Exhausted;
        return new SpendStatus(spend.SpentTodayUsd, spend.BudgetUsd, spend.Projection.UsdPerDay, exhausted ? "paused" : "running",
            exhausted ? spend.DayEnds : null);
    }

    public TargetStatus Target(TargetOptions target, DateTimeOffset now)
    {
        var history = results.History(target.Name);
        var own = history.Where(r => r.Model is null).ToList();
        RecentProbe? last = own.Count > 0 ? own[^1] : history.Count > 0 ? history[^1] : null;
        var verdict = health.ForTarget(target.Name)?.VerdictAt(now) ?? default;
        var ownCircuits = new[] { CircuitKey.Reachability(target.Name), CircuitKey.Api(target.Name) }.Select(CircuitOf).ToList();
        // The health document and the models list are the latest of their own series, however many probes of
        // other checks came after them.
        var upstreams = results.LatestOf(new ProbeKey(target.Name, CheckKinds.Health.Name, null))?.Health?.Providers
            .Select(p => new UpstreamReport(p.Provider, p.Available, p.LatencySeconds)).ToList() ?? [];
        var listed = results.LatestOf(new ProbeKey(target.Name, CheckKinds.Models.Name, null))?.ModelsListed;
        var checks = Configured(target).Where(c => !CheckKinds.Of(c).PerModel)
            .Select(c => Check(new ProbeKey(target.Name, c, null), health.ForTarget(target.Name), now)).ToList();
        return new TargetStatus(
            target.Name, ConfigNames.Of(target.Kind), target.ProtocolDescription!.Name, target.BaseUrl,
            verdict.State.Label(), verdict.Reason, verdict.Since, verdict.ConsecutiveFailures,
            // The worse of the two: routing leaves out a target that cannot be reached or does not take our credential.
            ownCircuits.MaxBy(c => c.Severity).Status.State, ownCircuits.Select(c => c.Status).ToList(),
            last?.Outcome.Label(), last?.Reason, last?.StartedAt, checks.Max(c => c.LastSuccessAt), LatestFailure(checks), Latency(own),
            checks,
            target.Models.Select(m => Model(target, m, history, listed, now)).ToList(),
            upstreams,
            history.TakeLast(RecentProbes).Reverse().Select(ProbeSummary.Of).ToList());
    }

    private ModelStatus Model(TargetOptions target, string model, IReadOnlyList<RecentProbe> history, IReadOnlyList<ModelListing>? listed, DateTimeOffset now)
    {
        var own = history.Where(r => r.Model == model).ToList();
        RecentProbe? last = own.Count > 0 ? own[^1] : null;
        var circuit = circuits.Find(CircuitKey.ForModel(target.Name, model));
        var subject = health.ForModel(target.Name, model);
        var isListed = listed?.Where(l => l.Model == model).Select(l => (bool?)l.Listed).FirstOrDefault();
        var checks = Configured(target).Where(c => CheckKinds.Of(c).PerModel).Select(c => Check(new ProbeKey(target.Name, c, model), subject, now)).ToList();
        return new ModelStatus(model, (subject?.StateAt(now) ?? HealthState.Unknown).Label(),
            (circuit?.State ?? CircuitState.Closed).Label(), circuit?.OpenedBy, isListed,
            last?.Outcome.Label(), last?.Reason, checks.Max(c => c.LastSuccessAt), LatestFailure(checks), Latency(own),
            Configured(target).Contains(CheckKinds.Models.Name) ? [Listing(target, subject, isListed, now), .. checks] : checks);
    }

    private CheckStatus Check(ProbeKey key, SubjectHealth? subject, DateTimeOffset now)
    {
        var latest = results.LatestOf(key);
        var marks = results.MarksOf(key);
        return new CheckStatus(key.Check, (subject?.ForCheck(key.Check)?.StateAt(now) ?? HealthState.Unknown).Label(),
            latest?.Outcome.Label(), latest?.Reason, latest?.StartedAt, marks.LastSuccessAt, marks.LastFailure is { } failure ? ProbeSummary.Of(failure) : null);
    }

    /// <summary>The models check as it concerns one model: whether the target's list names it.</summary>
    private CheckStatus Listing(TargetOptions target, SubjectHealth? subject, bool? isListed, DateTimeOffset now)
    {
        var latest = results.LatestOf(new ProbeKey(target.Name, CheckKinds.Models.Name, null));
        var (outcome, reason) = isListed switch
        {
            true => (ProbeOutcome.Success.Label(), "listed by the models check"),
            false => (ProbeOutcome.ModelMissing.Label(), "not listed by the models check"),
            null => (latest?.Outcome.Label(), latest?.Reason),
        };
        return new CheckStatus(CheckKinds.Models.Name, (subject?.ForCheck(CheckKinds.Models.Name)?.StateAt(now) ?? HealthState.Unknown).Label(),
            outcome, reason, latest?.StartedAt, null, null);
    }

    private static IEnumerable<string> Configured(TargetOptions target) =>
        CheckKinds.All.Select(k => k.Name).Where(c => target.EffectiveChecks.Keys.Contains(c, StringComparer.OrdinalIgnoreCase));

    private static ProbeSummary? LatestFailure(IEnumerable<CheckStatus> checks) =>
        checks.Select(c => c.LastFailure).OfType<ProbeSummary>().MaxBy(f => f.At);

    private (CircuitStatus Status, int Severity) CircuitOf(CircuitKey key)
    {
        var circuit = circuits.Find(key);
        var state = circuit?.State ?? CircuitState.Closed;
        return (new CircuitStatus(key.Scope.Label(), state.Label(), circuit?.OpenedBy, circuit?.OpenUntil), state.Severity());
    }

    private static LatencySummary? Latency(IEnumerable<RecentProbe> probes) =>
        LatencySummary.Of(probes.Where(r => r.Succeeded).Select(r => r.Duration));
}
