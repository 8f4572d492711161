using RelayExporter.Configuration;

namespace RelayExporter.Health;

/// <summary>
/// The health of one subject (a check of a target, or a model on a target) from the probes that concern it:
/// N failures in a row make it unhealthy, M successes in a row make it recover, a slow success (or one whose target
/// says it is degraded) makes it degraded, a single unconfirmed failure degraded. Without fresh probes it falls back
/// to unknown rather than keep a stale state.
/// </summary>
public sealed class HealthTracker(TimeSpan staleAfter)
{
    private readonly object _gate = new();
    private HealthState _state = HealthState.Unknown;
    private DateTimeOffset _lastObserved = DateTimeOffset.MinValue;

    public int ConsecutiveFailures { get; private set; }
    public int ConsecutiveSuccesses { get; private set; }

    /// <summary>When the state last changed, and what it was before.</summary>
    public DateTimeOffset? ChangedAt { get; private set; }

    /// <summary>Why the state is what it is: the reason of the probe that decided it (the latest failure while recovering).</summary>
    public string? Reason { get; private set; }

    /// <param name="degraded">The probe succeeded, but the target says it is degraded (its health document).</param>
    public void Observe(bool succeeded, TimeSpan latency, DateTimeOffset at, HealthOptions options, string? reason = null, bool degraded = false)
    {
        lock (_gate)
        {
            var before = _state;
            _lastObserved = at;
            if (succeeded)
            {
                ConsecutiveFailures = 0;
                ConsecutiveSuccesses++;
                var recovering = _state == HealthState.Unhealthy && ConsecutiveSuccesses < options.SuccessesToRecover;
                if (!recovering)
                {
                    var slow = latency > options.DegradedLatency;
                    _state = slow || degraded ? HealthState.Degraded : HealthState.Healthy;
                    Reason = slow && !degraded ? $"slow: {latency.TotalSeconds:0.###}s, over {options.DegradedLatency.TotalSeconds:0.###}s; {reason}" : reason;
                }
            }
            else
            {
                ConsecutiveSuccesses = 0;
                ConsecutiveFailures++;
                Reason = reason;
                _state = ConsecutiveFailures >= options.FailuresToUnhealthy ? HealthState.Unhealthy
                    : _state == HealthState.Unhealthy ? HealthState.Unhealthy
                    : HealthState.Degraded;
            }
            if (_state != before) ChangedAt = at;
        }
    }

    /// <summary>Keeps the state fresh without changing it: the probe was not sent (circuit open), which says nothing new.</summary>
    public void Touch(DateTimeOffset at)
    {
        lock (_gate) _lastObserved = at;
    }

    public HealthState StateAt(DateTimeOffset now)
    {
        lock (_gate) return now - _lastObserved > staleAfter ? HealthState.Unknown : _state;
    }
}
