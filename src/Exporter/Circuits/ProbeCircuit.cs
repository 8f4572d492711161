using Polly;
using Polly.CircuitBreaker;
using RelayExporter.Configuration;
using RelayExporter.Probing;

namespace RelayExporter.Circuits;

/// <summary>
/// One Polly circuit breaker in front of a target's (or a target × model's) probes. Failed probes count against it;
/// while it is open, probes are not sent, except the half-open trial that Polly lets through after the break.
/// </summary>
public sealed class ProbeCircuit
{
    private readonly CircuitBreakerStateProvider _state = new();
    private readonly CircuitBreakerManualControl _control = new();
    private readonly TimeProvider _time;
    private readonly Action<CircuitKey, CircuitState> _transitioned;

    public ProbeCircuit(CircuitKey key, CircuitOptions options, TimeProvider time, Action<CircuitKey, CircuitState> transitioned)
    {
        Key = key;
        _time = time;
        _transitioned = transitioned;
        Options = options;
        // The callbacks are methods of this circuit rather than lambdas: thousands of circuits, no closure each.
        Pipeline = new ResiliencePipelineBuilder<ProbeResult> { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<ProbeResult>
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                BreakDurationGenerator = GrownBreakDuration,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result is { Succeeded: false }),
                StateProvider = _state,
                ManualControl = _control,
                OnOpened = OnOpened,
                OnHalfOpened = OnHalfOpened,
                OnClosed = OnClosed,
            })
            .Build();
    }

    public CircuitKey Key { get; }
    public CircuitOptions Options { get; }
    public ResiliencePipeline<ProbeResult> Pipeline { get; }
    public CircuitState State => _state.CircuitState;

    /// <summary>When an automatically opened circuit lets its next trial through.</summary>
    public DateTimeOffset? OpenUntil { get; private set; }

    public Task IsolateAsync() => _control.IsolateAsync();

    public Task CloseAsync() => _control.CloseAsync();

    /// <summary>Repeated opens wait longer each time: a relay that keeps failing its trial is probed less.</summary>
    private ValueTask<TimeSpan> GrownBreakDuration(BreakDurationGeneratorArguments args) => ValueTask.FromResult(BreakDuration(Options, args.HalfOpenAttempts));

    private ValueTask OnOpened(OnCircuitOpenedArguments<ProbeResult> args)
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

    private ValueTask OnClosed(OnCircuitClosedArguments<ProbeResult> args)
    {
        OpenUntil = null;
        _transitioned(Key, CircuitState.Closed);
        return ValueTask.CompletedTask;
    }

    internal static TimeSpan BreakDuration(CircuitOptions options, int failedTrials)
    {
        var grown = options.BreakDuration.TotalSeconds * Math.Pow(options.BreakDurationGrowth, Math.Max(0, failedTrials));
        return TimeSpan.FromSeconds(Math.Min(grown, options.MaxBreakDuration.TotalSeconds));
    }
}
