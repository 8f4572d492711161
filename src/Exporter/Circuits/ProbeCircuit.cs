using Polly;
using Polly.CircuitBreaker;
using RelayExporter.Configuration;

namespace RelayExporter.Circuits;

/// <summary>
/// One Polly circuit breaker in front of a target's (or a target × model's) probes. Failed probes count against it;
/// while it is open, probes are not sent, except the half-open trial that Polly lets through after the break.
/// </summary>
/// <remarks>
/// An operator's override (isolate, close) needs Polly's manual control, which costs as much as a third of a
/// circuit, and thousands of circuits never see one. So a circuit gets it the first time an operator acts on it,
/// with a new breaker that replaces the one without: isolating ignores the past anyway, and closing by hand leaves a
/// circuit as a new one is, closed with no failures counted (Polly resets its counts when it closes a circuit).
/// </remarks>
public sealed class ProbeCircuit
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly Action<CircuitKey, CircuitState> _transitioned;
    private Breaker _breaker;

    public ProbeCircuit(CircuitKey key, CircuitOptions options, TimeProvider time, Action<CircuitKey, CircuitState> transitioned)
    {
        Key = key;
        _time = time;
        _transitioned = transitioned;
        Options = options;
        _breaker = NewBreaker(withManualControl: false);
    }

    public CircuitKey Key { get; }
    public CircuitOptions Options { get; }
    public ResiliencePipeline<bool> Pipeline => Volatile.Read(ref _breaker).Pipeline;
    public CircuitState State => Volatile.Read(ref _breaker).State.CircuitState;

    /// <summary>When an automatically opened circuit lets its next trial through.</summary>
    public DateTimeOffset? OpenUntil { get; private set; }

    public Task IsolateAsync() => ManualControl().IsolateAsync();

    public Task CloseAsync()
    {
        lock (_gate)
        {
            if (_breaker.ManualControl is { } control) return control.CloseAsync();
            // The new breaker is closed already: say so, as Polly would have, when this one was not.
            var before = _breaker.State.CircuitState;
            Volatile.Write(ref _breaker, NewBreaker(withManualControl: true));
            if (before != CircuitState.Closed) Closed();
            return Task.CompletedTask;
        }
    }

    private CircuitBreakerManualControl ManualControl()
    {
        lock (_gate)
        {
            if (_breaker.ManualControl is null) Volatile.Write(ref _breaker, NewBreaker(withManualControl: true));
            return _breaker.ManualControl!;
        }
    }

    private Breaker NewBreaker(bool withManualControl)
    {
        var state = new CircuitBreakerStateProvider();
        var control = withManualControl ? new CircuitBreakerManualControl() : null;
        // The callbacks are methods of this circuit rather than lambdas: thousands of circuits, no closure each.
        var pipeline = new ResiliencePipelineBuilder<bool> { TimeProvider = _time }
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
        return new Breaker(pipeline, state, control);
    }

    /// <summary>Repeated opens wait longer each time: a relay that keeps failing its trial is probed less.</summary>
    private ValueTask<TimeSpan> GrownBreakDuration(BreakDurationGeneratorArguments args) => ValueTask.FromResult(BreakDuration(Options, args.HalfOpenAttempts));

    private ValueTask OnOpened(OnCircuitOpenedArguments<bool> args)
    {
        OpenUntil = args.IsManual ? null : _time.GetUtcNow() + args.BreakDuration;
        _transitioned(Key, args.IsManual ? CircuitState.Isolated : CircuitState.Open);
        return ValueTask.CompletedTask;
    }

    private ValueTask OnHalfOpened(OnCircuitHalfOpenedArguments args)
    {
        _transitioned(Key, CircuitState.HalfOpen);
        return ValueTask.CompletedTask;
    }

    private ValueTask OnClosed(OnCircuitClosedArguments<bool> args)
    {
        Closed();
        return ValueTask.CompletedTask;
    }

    private void Closed()
    {
        OpenUntil = null;
        _transitioned(Key, CircuitState.Closed);
    }

    private sealed record Breaker(ResiliencePipeline<bool> Pipeline, CircuitBreakerStateProvider State, CircuitBreakerManualControl? ManualControl);

    internal static TimeSpan BreakDuration(CircuitOptions options, int failedTrials)
    {
        var grown = options.BreakDuration.TotalSeconds * Math.Pow(options.BreakDurationGrowth, Math.Max(0, failedTrials));
        return TimeSpan.FromSeconds(Math.Min(grown, options.MaxBreakDuration.TotalSeconds));
    }
}
