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
    // Taken to forget circuits, to put a new one on the board and to report a transition: once RetainOnly returned, no
    // forgotten circuit's transition is reported and no circuit of a removed key is put back.
    private readonly Lock _forgetting = new();
    // The circuits the configuration in force has; only these are kept on the board.
    private HashSet<CircuitKey> _configured;

    public CircuitBoard(RunningConfig config, TimeProvider time)
    {
        _config = config;
        _time = time;
        _transitioned = Report; // one delegate for every circuit
        _configured = KeysOf(config.Current);
    }

    /// <summary>Raised on every change of state of any circuit on the board.</summary>
    public event Action<CircuitKey, CircuitState>? Transitioned;

    public IReadOnlyCollection<ProbeCircuit> All => (IReadOnlyCollection<ProbeCircuit>)_circuits.Values;

    public ProbeCircuit? Find(CircuitKey key) => _circuits.GetValueOrDefault(key);

    /// <summary>The state of a circuit; one never used is closed.</summary>
    public CircuitState StateOf(CircuitKey key) => Find(key)?.State ?? CircuitState.Closed;

    /// <summary>
    /// The circuit of a configured target, API or model, created on first use. A key the configuration in force does not
    /// have (a probe of a target a reload removed that was still starting) gets a circuit of its own that is not put on
    /// the board: it gates that probe, and neither its state nor its transitions are published.
    /// </summary>
    public ProbeCircuit For(CircuitKey key)
    {
        if (_circuits.TryGetValue(key, out var circuit)) return circuit;
        using var forgetting = _forgetting.EnterScope();
        return _configured.Contains(key) ? _circuits.GetOrAdd(key, static (k, board) => board.Create(k), this) : Create(key);
    }

    private ProbeCircuit Create(CircuitKey key) => new(key, _config.Current.Circuit, _time, _transitioned);

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
        var keep = KeysOf(options);
        using var forgetting = _forgetting.EnterScope();
        _configured = keep;
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

    private static HashSet<CircuitKey> KeysOf(ExporterOptions options) => options.Targets.SelectMany(CircuitKey.AllOf).ToHashSet();

    private static bool SameSettings(CircuitOptions a, CircuitOptions b) =>
        (a.FailureRatio, a.MinimumThroughput, a.SamplingDuration, a.BreakDuration, a.BreakDurationGrowth, a.MaxBreakDuration)
        == (b.FailureRatio, b.MinimumThroughput, b.SamplingDuration, b.BreakDuration, b.BreakDurationGrowth, b.MaxBreakDuration);
}
