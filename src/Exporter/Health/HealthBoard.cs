using System.Collections.Concurrent;
using RelayExporter.Configuration;
using RelayExporter.Probing;

namespace RelayExporter.Health;

/// <summary>
/// The health of every target and every target × model, fed by probe results. A target's own checks (health,
/// models) decide the target's state; chat and stream probes of a model, and whether the models check lists it,
/// decide that model's state.
/// </summary>
public sealed class HealthBoard
{
    private readonly ConcurrentDictionary<string, HealthTracker> _targets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Target, string Model), HealthTracker> _models = new();
    private readonly RunningConfig _config;
    private readonly TimeProvider _time;

    public HealthBoard(RunningConfig config, TimeProvider time)
    {
        _config = config;
        _time = time;
        config.Changed += (_, next) => RetainOnly(next);
    }

    public void Observe(ProbeResult result)
    {
        var options = _config.Current;
        var at = _time.GetUtcNow();
        var key = result.Key;
        if (result.Outcome == ProbeOutcome.CircuitOpen)
        {
            (key.Model is null ? Target(key.Target) : Model(key.Target, key.Model)).Touch(at);
            return;
        }
        if (key.Model is not null)
        {
            Model(key.Target, key.Model).Observe(result.Succeeded, result.Duration, at, options.Health);
            return;
        }
        Target(key.Target).Observe(result.Succeeded, result.Duration, at, options.Health);
        foreach (var (model, listed) in result.ModelsListed ?? [])
            Model(key.Target, model).Observe(listed, TimeSpan.Zero, at, options.Health);
    }

    public HealthTracker? ForTarget(string target) => _targets.GetValueOrDefault(target);

    public HealthTracker? ForModel(string target, string model) => _models.GetValueOrDefault((target, model));

    public IEnumerable<(string Target, HealthTracker Tracker)> Targets => _targets.Select(t => (t.Key, t.Value));

    public IEnumerable<(string Target, string Model, HealthTracker Tracker)> Models => _models.Select(m => (m.Key.Target, m.Key.Model, m.Value));

    /// <summary>Forgets targets and models no longer configured; the state of the others is kept.</summary>
    public void RetainOnly(ExporterOptions options)
    {
        var targets = options.Targets.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var models = options.Targets.SelectMany(t => t.Models.Select(m => (t.Name, m))).ToHashSet();
        foreach (var name in _targets.Keys.Where(n => !targets.Contains(n))) _targets.TryRemove(name, out _);
        foreach (var pair in _models.Keys.Where(k => !models.Contains(k))) _models.TryRemove(pair, out _);
    }

    private HealthTracker Target(string target) => _targets.GetOrAdd(target, _ => new HealthTracker(StaleAfter(target)));

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
