using System.Collections.Concurrent;
using RelayExporter.Configuration;
using RelayExporter.Probing;

namespace RelayExporter.Health;

/// <summary>
/// The health of every target and every target × model, fed by probe results. A target's own checks (health,
/// models) decide the target's state, each through a tracker of its own (<see cref="TargetHealth"/>); chat and
/// stream probes of a model, and whether the models check lists it, decide that model's state.
/// </summary>
public sealed class HealthBoard
{
    private readonly ConcurrentDictionary<string, TargetHealth> _targets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Target, string Model), HealthTracker> _models = new();
    private readonly RunningConfig _config;
    private readonly TimeProvider _time;
    private readonly RetryAfterGate _retryAfter;

    public HealthBoard(RunningConfig config, TimeProvider time, RetryAfterGate retryAfter)
    {
        _config = config;
        _time = time;
        _retryAfter = retryAfter;
        config.Changed += (_, next) => RetainOnly(next);
    }

    public void Observe(ProbeResult result)
    {
        var options = _config.Current;
        var at = _time.GetUtcNow();
        var key = result.Key;
        var target = Target(key.Target);
        var tracker = key.Model is null ? target.Check(key.Check, () => new HealthTracker(StaleAfter(key.Target))) : Model(key.Target, key.Model);
        if (result.Outcome == ProbeOutcome.CircuitOpen)
        {
            tracker.Touch(at);
            return;
        }
        tracker.Observe(result.Succeeded, result.Duration, at, options.Health, Describe(result), result.Degraded);
        if (key.Model is not null) return;
        foreach (var (model, listed) in result.ModelsListed ?? [])
            Model(key.Target, model).Observe(listed, TimeSpan.Zero, at, options.Health, listed ? "listed by the models check" : "not listed by the models check");
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

    public TargetHealth? ForTarget(string target) => _targets.GetValueOrDefault(target);

    public HealthTracker? ForModel(string target, string model) => _models.GetValueOrDefault((target, model));

    public IEnumerable<(string Target, TargetHealth Health)> Targets => _targets.Select(t => (t.Key, t.Value));

    public IEnumerable<(string Target, string Model, HealthTracker Tracker)> Models => _models.Select(m => (m.Key.Target, m.Key.Model, m.Value));

    /// <summary>Forgets targets and models no longer configured; the state of the others is kept.</summary>
    public void RetainOnly(ExporterOptions options)
    {
        var targets = options.Targets.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var models = options.Targets.SelectMany(t => t.Models.Select(m => (t.Name, m))).ToHashSet();
        foreach (var name in _targets.Keys.Where(n => !targets.Contains(n))) _targets.TryRemove(name, out _);
        foreach (var pair in _models.Keys.Where(k => !models.Contains(k))) _models.TryRemove(pair, out _);
    }

    private TargetHealth Target(string target) =>
        _targets.GetOrAdd(target, static (name, retryAfter) => new TargetHealth(name, retryAfter), _retryAfter);

    private HealthTracker Model(string target, string model) => _models.GetOrAdd((target, model), _ => new HealthTracker(StaleAfter(target)));

    /// <summary>Three of the target's longest intervals without a probe: its state is no longer known.</summary>
    private TimeSpan StaleAfter(string target)
    {
        var options = _config.Current;
        var configured = options.Targets.FirstOrDefault(t => t.Name == target);
        var longest = configured is null ? TimeSpan.FromMinutes(1)
            : configured.EffectiveChecks.Keys.Where(CheckNames.All.Contains).Max(c => options.EffectiveCheck(configured, c).Interval!.Value);
        return longest * 3;
    }
}
