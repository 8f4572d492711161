using System.Diagnostics;
using System.Diagnostics.Metrics;
using Polly.CircuitBreaker;
using RelayExporter.Circuits;
using RelayExporter.Health;
using RelayExporter.Probing;
using RelayExporter.Telemetry.Catalog;

namespace RelayExporter.Telemetry;

/// <summary>
/// The health and circuit state of every target and model as synchronous gauges, recorded only when a state changes:
/// a fleet's states rarely change, so a scrape reads stored values instead of asking every tracker (the observable
/// instruments of OpenTelemetry cost ~0.4 µs per reported series on every collection). States also change with time
/// alone (a health state nobody confirms turns unknown), so <see cref="Refresh"/> runs on a timer as well as after probes.
/// The health scores (1 / 0.5 / 0) are observed from the states recorded here.
/// </summary>
internal sealed class StateGauges
{
    private readonly Gauge<int> _targetState;
    private readonly Gauge<int> _targetFailures;
    private readonly Gauge<int> _modelState;
    private readonly Gauge<int> _modelFailures;
    private readonly Gauge<int> _circuitState;
    // What was recorded last; a lock keeps the gauge and this in step when a probe, a transition and the timer record at
    // once. A state is read under the lock too: whoever records last records the newest, and a timer refresh that read a
    // state just before a probe changed it cannot record it over the probe's.
    private readonly Dictionary<(string Target, string? Model), (HealthState State, int Failures)> _health = new();
    private readonly Dictionary<CircuitKey, CircuitState> _circuits = new();
    private readonly Lock _gate = new();
    private readonly HealthBoard _healthBoard;
    private readonly CircuitBoard _circuitBoard;
    private readonly TimeProvider _time;

    public StateGauges(Meter meter, HealthBoard health, CircuitBoard circuits, TimeProvider time)
    {
        _healthBoard = health;
        _circuitBoard = circuits;
        _time = time;
        _targetState = MetricCatalog.TargetHealthState.Gauge<int>(meter);
        _targetFailures = MetricCatalog.TargetConsecutiveFailures.Gauge<int>(meter);
        _modelState = MetricCatalog.ModelHealthState.Gauge<int>(meter);
        _modelFailures = MetricCatalog.ModelConsecutiveFailures.Gauge<int>(meter);
        _circuitState = MetricCatalog.CircuitState.Gauge<int>(meter);
        // Observable: a score is absent while the state is unknown, which a synchronous gauge cannot express. Read from
        // the states recorded here, so a score always agrees with its state set.
        MetricCatalog.TargetHealth.ObservableGauge(meter, () => RecordedScores(models: false));
        MetricCatalog.ModelHealth.ObservableGauge(meter, () => RecordedScores(models: true));
    }

    /// <summary>Records every state that changed since it was last recorded.</summary>
    public void Refresh()
    {
        foreach (var (target, health) in _healthBoard.Targets) RecordHealth(target, null, health);
        foreach (var (target, model, health) in _healthBoard.Models) RecordHealth(target, model, health);
        foreach (var circuit in _circuitBoard.All) RecordCircuit(circuit);
    }

    /// <summary>Records the states a probe of this target (and model) may have changed.</summary>
    public void RefreshAfterProbe(ProbeKey probe, IEnumerable<string> listedModels)
    {
        var (target, model) = (probe.Target, probe.Model);
        if (_healthBoard.ForTarget(target) is { } targetHealth) RecordHealth(target, null, targetHealth);
        foreach (var listed in listedModels.Append(model))
            if (listed is not null && _healthBoard.ForModel(target, listed) is { } modelHealth) RecordHealth(target, listed, modelHealth);
        if (_circuitBoard.Find(CircuitKey.Of(probe)) is { } circuit) RecordCircuit(circuit);
    }

    /// <summary>
    /// After a transition of this circuit: records the state it is in now. Polly queues its callbacks and runs them later,
    /// on a thread of their own; by then the circuit may have moved on, and a timer refresh may have recorded that already.
    /// </summary>
    public void RecordCircuit(CircuitKey key)
    {
        if (_circuitBoard.Find(key) is { } circuit) RecordCircuit(circuit);
    }

    private void RecordCircuit(ProbeCircuit circuit)
    {
        using var _ = _gate.EnterScope();
        var state = circuit.State;
        if (_circuits.TryGetValue(circuit.Key, out var recorded) && recorded == state) return;
        _circuits[circuit.Key] = state;
        var tags = OrderedTags.ForCircuit(circuit.Key);
        foreach (var candidate in CircuitStateLabels.All)
            _circuitState.Record(candidate == state ? 1 : 0, tags.With("state", candidate.Label()));
    }

    private List<Measurement<double>> RecordedScores(bool models)
    {
        using var _ = _gate.EnterScope();
        var scores = new List<Measurement<double>>(_health.Count);
        foreach (var ((target, model), (state, _)) in _health)
            if ((model is not null) == models && state.Score() is { } score) scores.Add(new(score, OrderedTags.ForTarget(target, model)));
        return scores;
    }

    private void RecordHealth(string target, string? model, SubjectHealth health)
    {
        using var _ = _gate.EnterScope();
        var verdict = health.VerdictAt(_time.GetUtcNow());
        var current = (verdict.State, Failures: verdict.ConsecutiveFailures);
        if (_health.TryGetValue((target, model), out var recorded) && recorded == current) return;
        _health[(target, model)] = current;
        var tags = OrderedTags.ForTarget(target, model);
        (model is null ? _targetFailures : _modelFailures).Record(current.Failures, tags);
        var stateGauge = model is null ? _targetState : _modelState;
        foreach (var state in HealthStateValues.All)
            stateGauge.Record(state == current.State ? 1 : 0, tags.With("state", state.Label()));
    }
}
