using System.Collections.Concurrent;
using Polly.CircuitBreaker;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Outcomes;

namespace RelayExporter.Circuits;

/// <summary>The circuits of every target (its reachability, its API, each model), created on first use with the configured settings.</summary>
public sealed class CircuitBoard : IProbeCircuits
{
    private readonly ConcurrentDictionary<CircuitKey, ProbeCircuit> _circuits = new();
    private readonly RunningConfig _config;
    private readonly TimeProvider _time;
    private readonly Action<ProbeCircuit, CircuitState> _transitioned;
    // Taken to forget circuits and to report a transition: once RetainOnly returned, no forgotten circuit's is reported.
    private readonly Lock _forgetting = new();

    public CircuitBoard(RunningConfig config, TimeProvider time)
    {
        _config = config;
        _time = time;
        _transitioned = Report; // one delegate for every circuit
    }

    /// <summary>Raised on every change of state of any circuit on the board.</summary>
    public event Action<CircuitKey, CircuitState>? Transitioned;

    public IReadOnlyCollection<ProbeCircuit> All => (IReadOnlyCollection<ProbeCircuit>)_circuits.Values;

    public ProbeCircuit? Find(CircuitKey key) => _circuits.GetValueOrDefault(key);

    /// <summary>The state of a circuit; one never used is closed.</summary>
    public CircuitState StateOf(CircuitKey key) => Find(key)?.State ?? CircuitState.Closed;

    public ProbeCircuit For(CircuitKey key) =>
        _circuits.GetOrAdd(key, static (k, board) => new ProbeCircuit(k, board._config.Current.Circuit, board._time, board._transitioned), this);

    /// <summary>Runs the probe through its circuit; while the circuit is open it is not sent and ends in circuit_open.</summary>
    public async Task<ProbeResult> ExecuteAsync(ProbeJob job, Func<CancellationToken, Task<ProbeResult>> probe, CancellationToken cancellationToken)
    {
        var circuit = For(CircuitKey.Of(job.Key));
        var startedAt = _time.GetUtcNow();
        try
        {
            return await circuit.ExecuteAsync(probe, cancellationToken);
        }
        catch (BrokenCircuitException e)
        {
            var scope = circuit.Key.Scope.Label();
            var reason = e is IsolatedCircuitException ? $"not sent: an operator isolated the {scope} circuit"
                : circuit.OpenUntil is { } until ? $"not sent: {scope} circuit open until {until:HH:mm:ss}Z after repeated failures ({circuit.OpenedBy})"
                : $"not sent: {scope} circuit open";
            return new ProbeResult { Key = job.Key, Outcome = ProbeOutcome.CircuitOpen, Reason = reason, StartedAt = startedAt };
        }
    }

    /// <summary>Forgets circuits of targets and models no longer configured, and of those whose circuit settings changed.</summary>
    public void RetainOnly(ExporterOptions options)
    {
        var keep = options.Targets.SelectMany(CircuitKey.AllOf).ToHashSet();
        using var forgetting = _forgetting.EnterScope();
        foreach (var circuit in _circuits.Values.Where(c => !keep.Contains(c.Key) || !SameSettings(c.Options, options.Circuit)))
            _circuits.TryRemove(circuit.Key, out _);
    }

    /// <summary>
    /// A circuit the board forgot reports nothing more: a probe still holding it, of a removed target or from before its
    /// settings changed, would otherwise bring its series back to the metrics after the reload.
    /// </summary>
    private void Report(ProbeCircuit circuit, CircuitState state)
    {
        using var _ = _forgetting.EnterScope();
        if (Find(circuit.Key) == circuit) Transitioned?.Invoke(circuit.Key, state);
    }

    private static bool SameSettings(CircuitOptions a, CircuitOptions b) =>
        (a.FailureRatio, a.MinimumThroughput, a.SamplingDuration, a.BreakDuration, a.BreakDurationGrowth, a.MaxBreakDuration)
        == (b.FailureRatio, b.MinimumThroughput, b.SamplingDuration, b.BreakDuration, b.BreakDurationGrowth, b.MaxBreakDuration);
}
