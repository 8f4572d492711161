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

    public ProbeCircuit(CircuitKey key, CircuitOptions options, TimeProvider time, Action<CircuitKey, CircuitState> transitioned)
    {
        Key = key;
        _time = time;
        Options = options;
        Pipeline = new ResiliencePipelineBuilder<ProbeResult> { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<ProbeResult>
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                // Repeated opens wait longer each time: a relay that keeps failing its trial is probed less.
                BreakDurationGenerator = args => ValueTask.FromResult(BreakDuration(options, args.HalfOpenAttempts)),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Succeeded: false }),
                StateProvider = _state,
                ManualControl = _control,
                OnOpened = args =>
                {
                    OpenUntil = args.IsManual ? null : _time.GetUtcNow() + args.BreakDuration;
                    transitioned(key, args.IsManual ? CircuitState.Isolated : CircuitState.Open);
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    transitioned(key, CircuitState.HalfOpen);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    OpenUntil = null;
                    transitioned(key, CircuitState.Closed);
                    return ValueTask.CompletedTask;
                },
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

    internal static TimeSpan BreakDuration(CircuitOptions options, int failedTrials)
    {
        var grown = options.BreakDuration.TotalSeconds * Math.Pow(options.BreakDurationGrowth, Math.Max(0, failedTrials));
        return TimeSpan.FromSeconds(Math.Min(grown, options.MaxBreakDuration.TotalSeconds));
    }
}
