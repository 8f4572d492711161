using System.Collections.Concurrent;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Outcomes;

namespace RelayExporter.Health;

/// <summary>
/// The health of every target and every target × model, fed by probe results. A target's own checks (health,
/// models) decide the target's state; chat and stream probes of a model, and whether the models check lists it, decide
/// that model's state — each check through a tracker of its own (<see cref="SubjectHealth"/>). A sink of scheduled
/// results; the gate that holds back paid probes of a target that is down.
/// </summary>
public sealed class HealthBoard : IProbeResultSink, IProbeGate, ITargetHealthView
{
    private readonly ConcurrentDictionary<string, SubjectHealth> _targets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Target, string Model), SubjectHealth> _models = new();
    private readonly RunningConfig _config;
    private readonly TimeProvider _time;
    private readonly RetryAfterGate _retryAfter;

    public HealthBoard(RunningConfig config, TimeProvider time, RetryAfterGate retryAfter)
    {
        _config = config;
        _time = time;
        _retryAfter = retryAfter;
    }

    /// <summary>Raised when a probe changes the state of a target or of a model on a target.</summary>
    public event Action<HealthChange>? Changed;

    public void Observe(ProbeResult result)
    {
        var options = _config.Current;
        var at = _time.GetUtcNow();
        var key = result.Key;
        var target = Target(key.Target); // also for a model's probe: a Retry-After it was told shows in the target's state
        var subject = key.Model is null ? target : Model(key.Target, key.Model);
        var tracker = subject.Check(key.Check, () => new HealthTracker(StaleAfter(key.Target)));
        if (!result.Outcome.WasSent())
        {
            tracker.Touch(at);
            return;
        }
        var before = subject.VerdictAt(at);
        tracker.Observe(result.ScopeSucceeded, result.Duration, at, options.Health, Describe(result), result.Degraded);
        Report(key.Target, key.Model, subject, before, at);
        if (key.Model is not null) return;
        foreach (var (model, listed) in result.ModelsListed ?? [])
        {
            var modelHealth = Model(key.Target, model);
            var modelBefore = modelHealth.VerdictAt(at);
            modelHealth.Check(key.Check, () => new HealthTracker(StaleAfter(key.Target)))
                .Observe(listed, TimeSpan.Zero, at, options.Health, listed ? "models: listed" : "models: not listed by the models check");
            Report(key.Target, model, modelHealth, modelBefore, at);
        }
    }

    void IProbeResultSink.Record(ProbeResult result, ProbeJob job) => Observe(result);

    /// <summary>A paid probe of a target its cheap checks say is down would tell nothing more.</summary>
    string? IProbeGate.SkipReason(ProbeJob job) => CheckKinds.Of(job.Check).Paid && TargetState(job.Target.Name) == HealthState.Unhealthy ? SkipReasons.TargetDown : null;

    bool ITargetHealthView.IsUp(string target) => TargetState(target) is HealthState.Healthy or HealthState.Degraded;

    /// <summary>The target's state by its own (cheap) checks.</summary>
    private HealthState TargetState(string target) => ForTarget(target)?.StateAt(_time.GetUtcNow()) ?? HealthState.Unknown;

    private void Report(string target, string? model, SubjectHealth subject, HealthVerdict before, DateTimeOffset at)
    {
        var after = subject.VerdictAt(at);
        if (after.State != before.State) Changed?.Invoke(new HealthChange(target, model, before.State, after));
    }

    /// <summary>Why a probe made its check's state what it is, for people: the check, what the outcome means, the probe's reason.</summary>
    private static string Describe(ProbeResult result)
    {
        var meaning = result.Outcome switch
        {
            ProbeOutcome.Success => result.Degraded ? "degraded" : "ok",
            ProbeOutcome.AuthError => "credential rejected",
            _ => result.Outcome.Label(),
        };
        return $"{result.Key.Check}: {meaning}: {result.Reason}";
    }

    public SubjectHealth? ForTarget(string target) => _targets.GetValueOrDefault(target);

    public SubjectHealth? ForModel(string target, string model) => _models.GetValueOrDefault((target, model));

    public IEnumerable<(string Target, SubjectHealth Health)> Targets => _targets.Select(t => (t.Key, t.Value));

    public IEnumerable<(string Target, string Model, SubjectHealth Health)> Models => _models.Select(m => (m.Key.Target, m.Key.Model, m.Value));

    /// <summary>Forgets targets and models no longer configured; the state of the others is kept.</summary>
    public void RetainOnly(ExporterOptions options)
    {
        var targets = options.Targets.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var models = options.TargetModels();
        foreach (var name in _targets.Keys.Where(n => !targets.Contains(n))) _targets.TryRemove(name, out _);
        foreach (var pair in _models.Keys.Where(k => !models.Contains(k))) _models.TryRemove(pair, out _);
    }

    private SubjectHealth Target(string target) =>
        _targets.GetOrAdd(target, static (name, retryAfter) => new SubjectHealth(name, retryAfter), _retryAfter);

    // A target-wide Retry-After pause shows in the target's state; a model's is its own checks'.
    private SubjectHealth Model(string target, string model) => _models.GetOrAdd((target, model), static key => new SubjectHealth(key.Target, null));

    /// <summary>Three of the target's longest intervals without a probe: its state is no longer known.</summary>
    private TimeSpan StaleAfter(string target)
    {
        var options = _config.Current;
        var configured = options.Targets.FirstOrDefault(t => t.Name == target);
        var longest = configured is null ? TimeSpan.FromMinutes(1)
            : configured.EffectiveChecks.Keys.Where(CheckKinds.IsKnown).Max(c => options.EffectiveCheck(configured, c).Interval!.Value);
        return longest * 3;
    }
}

/// <summary>A target's (model null) or a model's state changed: from what, and the verdict now (its check and reason).</summary>
public readonly record struct HealthChange(string Target, string? Model, HealthState Before, HealthVerdict After);
