using Polly;
using Polly.CircuitBreaker;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Outcomes;

namespace RelayExporter.Circuits;

/// <summary>
/// One Polly circuit breaker in front of the probes of one <see cref="CircuitScope"/>: a target's health check
/// (reachability), its models check (api), or a target × model's chat and stream checks. Failed probes count against it;
/// while it is open, probes are not sent, except the half-open trial that Polly lets through after the break.
/// </summary>
/// <remarks>
/// A Polly breaker costs ~2.5 KB and most circuits of a fleet are healthy most of the time, so a circuit holds one only
/// while it needs it: from a failure (or an operator's override) until it is closed again with no failure left in its
/// sampling window, when a new breaker would behave the same. In between it remembers when its last few successes
/// came, and a new breaker is given those of the window, at their own times (<see cref="ReplayClock"/>), before the
/// failure: the failure ratio is the one a breaker that had been there all along would compute. Polly's manual control
/// costs as much again and is added only when an operator isolates the circuit; closing by hand drops the breaker: the
/// circuit is then as a new one is, closed with nothing counted.
/// </remarks>
public sealed class ProbeCircuit
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly Action<ProbeCircuit, CircuitState> _transitioned;
    private Breaker? _breaker;

    /// <summary>When the latest successes that a closed circuit counted came (UTC ticks, a ring); more than this many
    /// within one sampling window are rare (two checks at the default 3 s intervals make three or four).</summary>
    private readonly long[] _recentSuccesses = new long[8];
    private int _successesSeen;
    private long _lastFailure;

    public ProbeCircuit(CircuitKey key, CircuitOptions options, TimeProvider time, Action<ProbeCircuit, CircuitState> transitioned)
    {
        Key = key;
        _time = time;
        _transitioned = transitioned;
        Options = options;
    }

    public CircuitKey Key { get; }
    public CircuitOptions Options { get; }
    public CircuitState State => Volatile.Read(ref _breaker)?.State.CircuitState ?? CircuitState.Closed;

    /// <summary>When an automatically opened circuit lets its next trial through.</summary>
    public DateTimeOffset? OpenUntil { get; private set; }

    /// <summary>While the circuit is open or isolated: what opened it (the outcome and reason of the failure that did, or the operator).</summary>
    public string? OpenedBy { get; private set; }

    /// <summary>The latest failure counted, kept (as text only) while the circuit holds a breaker: the one that opens it says why.</summary>
    private string? _latestFailure;

    /// <summary>True while the circuit holds a Polly breaker: from a failure until it is closed with no failure in its window.</summary>
    internal bool HasBreaker => Volatile.Read(ref _breaker) is not null;

    /// <summary>
    /// Runs the probe unless the circuit holds it back (<see cref="BrokenCircuitException"/>); the circuit is told only
    /// whether it succeeded: Polly keeps the last failure it counted, and a full result kept by every circuit that ever
    /// saw a failure would add up.
    /// </summary>
    public async Task<ProbeResult> ExecuteAsync(Func<CancellationToken, Task<ProbeResult>> probe, CancellationToken cancellationToken)
    {
        var breaker = Volatile.Read(ref _breaker);
        if (breaker is null)
        {
            var unguarded = await probe(cancellationToken);
            NoteFailure(unguarded);
            await CountAsync(unguarded.ScopeSucceeded, null, closedBefore: true, cancellationToken);
            return unguarded;
        }
        var closedBefore = breaker.State.CircuitState == CircuitState.Closed;
        ProbeResult? result = null;
        await breaker.Pipeline.ExecuteAsync(async token =>
        {
            result = await probe(token);
            NoteFailure(result);
            return result.ScopeSucceeded;
        }, cancellationToken);
        await CountAsync(result!.ScopeSucceeded, breaker, closedBefore, cancellationToken);
        return result;
    }

    /// <summary>
    /// After a probe that <paramref name="countedBy"/> counted (null: no breaker did): remembers a success a closed
    /// circuit counts; gives a failure without a breaker one; counts the outcome again when the breaker it ran under was
    /// dropped or replaced meanwhile; and drops a breaker that is as a new one would be — closed, no failure left in its
    /// window (Polly resets the rest when it closes), not under an operator's control.
    /// </summary>
    private async Task CountAsync(bool succeeded, Breaker? countedBy, bool closedBefore, CancellationToken cancellationToken)
    {
        Breaker? countIn;
        lock (_gate)
        {
            var now = _time.GetUtcNow().UtcTicks;
            if (!succeeded) _lastFailure = now;
            else if (closedBefore) _recentSuccesses[_successesSeen++ % _recentSuccesses.Length] = now;

            if (countedBy is not null && ReferenceEquals(_breaker, countedBy))
            {
                if (succeeded && _breaker is { ManualControl: null } current && current.State.CircuitState == CircuitState.Closed
                    && now - _lastFailure >= Options.SamplingDuration.Ticks)
                {
                    Volatile.Write(ref _breaker, null);
                    _latestFailure = null;
                }
                return;
            }
            if (succeeded && _breaker is null) return;
            countIn = _breaker ??= NewBreakerWithRecentSuccesses();
        }
        try
        {
            await countIn.Pipeline.ExecuteAsync(static (succeeded, _) => ValueTask.FromResult(succeeded), succeeded, cancellationToken);
        }
        catch (BrokenCircuitException)
        {
            // Another probe's failure, counted first, opened the circuit: this outcome changes nothing more.
        }
    }

    private void NoteFailure(ProbeResult result)
    {
        if (!result.ScopeSucceeded) Volatile.Write(ref _latestFailure, $"{result.Outcome.Label()}: {result.Reason}");
    }

    private Breaker NewBreakerWithRecentSuccesses()
    {
        var breaker = NewBreaker(withManualControl: false);
        var windowStart = (_time.GetUtcNow() - Options.SamplingDuration).UtcTicks;
        foreach (var ticks in _recentSuccesses.Where(t => t > windowStart).Order())
        {
            breaker.Clock.ReplayingAt = new DateTimeOffset(ticks, TimeSpan.Zero);
            breaker.Pipeline.Execute(static () => true);
        }
        breaker.Clock.ReplayingAt = null;
        return breaker;
    }

    public Task IsolateAsync()
    {
        CircuitBreakerManualControl control;
        lock (_gate)
        {
            // Isolating ignores the past, so a breaker without manual control is replaced rather than kept.
            if (_breaker?.ManualControl is null) Volatile.Write(ref _breaker, NewBreaker(withManualControl: true));
            control = _breaker!.ManualControl!;
        }
        return control.IsolateAsync();
    }

    public Task CloseAsync()
    {
        lock (_gate)
        {
            var before = State;
            Volatile.Write(ref _breaker, null);
            _latestFailure = null;
            Array.Clear(_recentSuccesses);
            // Polly would have said so when it closed the circuit; the dropped breaker cannot.
            if (before != CircuitState.Closed) Closed();
            return Task.CompletedTask;
        }
    }

    private Breaker NewBreaker(bool withManualControl)
    {
        var state = new CircuitBreakerStateProvider();
        var control = withManualControl ? new CircuitBreakerManualControl() : null;
        var clock = new ReplayClock(_time);
        // The callbacks are methods of this circuit rather than lambdas: thousands of circuits, no closure each.
        var pipeline = new ResiliencePipelineBuilder<bool> { TimeProvider = clock }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<bool>
            {
                FailureRatio = Options.FailureRatio,
                MinimumThroughput = Options.MinimumThroughput,
                SamplingDuration = Options.SamplingDuration,
                BreakDuration = Options.BreakDuration,
                BreakDurationGenerator = GrownBreakDuration,
                // The pipeline's result is whether the probe succeeded; an exception (shutting down) is not a failure.
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome is { Exception: null, Result: false }),
                StateProvider = state,
                ManualControl = control,
                OnOpened = OnOpened,
                OnHalfOpened = OnHalfOpened,
                OnClosed = OnClosed,
            })
            .Build();
        return new Breaker(pipeline, state, control, clock);
    }

    /// <summary>Repeated opens wait longer each time: a relay that keeps failing its trial is probed less.</summary>
    private ValueTask<TimeSpan> GrownBreakDuration(BreakDurationGeneratorArguments args) => ValueTask.FromResult(BreakDuration(Options, args.HalfOpenAttempts));

    private ValueTask OnOpened(OnCircuitOpenedArguments<bool> args)
    {
        OpenUntil = args.IsManual ? null : _time.GetUtcNow() + args.BreakDuration;
        OpenedBy = args.IsManual ? "isolated by an operator" : Volatile.Read(ref _latestFailure);
        _transitioned(this, args.IsManual ? CircuitState.Isolated : CircuitState.Open);
        return ValueTask.CompletedTask;
    }

    private ValueTask OnHalfOpened(OnCircuitHalfOpenedArguments args)
    {
        _transitioned(this, CircuitState.HalfOpen);
        return ValueTask.CompletedTask;
    }

    private ValueTask OnClosed(OnCircuitClosedArguments<bool> args)
    {
        // Polly forgets what it counted when it closes a circuit; so do we.
        lock (_gate) Array.Clear(_recentSuccesses);
        Closed();
        return ValueTask.CompletedTask;
    }

    private void Closed()
    {
        OpenUntil = null;
        OpenedBy = null;
        _transitioned(this, CircuitState.Closed);
    }

    private sealed record Breaker(ResiliencePipeline<bool> Pipeline, CircuitBreakerStateProvider State, CircuitBreakerManualControl? ManualControl, ReplayClock Clock);

    internal static TimeSpan BreakDuration(CircuitOptions options, int failedTrials)
    {
        var grown = options.BreakDuration.TotalSeconds * Math.Pow(options.BreakDurationGrowth, Math.Max(0, failedTrials));
        return TimeSpan.FromSeconds(Math.Min(grown, options.MaxBreakDuration.TotalSeconds));
    }
}
