using System.Collections.Concurrent;
using RelayExporter.Probing;

namespace RelayExporter.Health;

/// <summary>
/// A target's own health: the worst of its model-less checks (health, models), each with a tracker of its own, so
/// that one check's successes cannot hide another's failures; and degraded at least while the target asked us to
/// wait (Retry-After), whichever check was told so.
/// </summary>
public sealed class TargetHealth(string target, RetryAfterGate retryAfter)
{
    private readonly ConcurrentDictionary<string, HealthTracker> _checks = new(StringComparer.OrdinalIgnoreCase);

    internal HealthTracker Check(string check, Func<HealthTracker> create) => _checks.GetOrAdd(check, _ => create());

    public HealthTracker? ForCheck(string check) => _checks.GetValueOrDefault(check);

    public HealthState StateAt(DateTimeOffset now) => VerdictAt(now).State;

    /// <summary>The target's state, the check that decides it and why. Unknown only while every check is unknown.</summary>
    public HealthVerdict VerdictAt(DateTimeOffset now)
    {
        var verdict = new HealthVerdict(HealthState.Unknown, null, null, null, 0);
        foreach (var (check, tracker) in _checks.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var state = tracker.StateAt(now);
            if (state == HealthState.Unknown || (verdict.State != HealthState.Unknown && state <= verdict.State)) continue;
            verdict = new HealthVerdict(state, check, tracker.Reason, tracker.ChangedAt, tracker.ConsecutiveFailures);
        }
        if (retryAfter.PausedFor(target) is { } pause && verdict.State is HealthState.Unknown or HealthState.Healthy)
            verdict = new HealthVerdict(HealthState.Degraded, pause.Check, pause.Reason, pause.Since, verdict.ConsecutiveFailures);
        return verdict;
    }
}

/// <summary>A target's state, the check whose state it is, why, since when, and that check's failures in a row.</summary>
public readonly record struct HealthVerdict(HealthState State, string? Check, string? Reason, DateTimeOffset? Since, int ConsecutiveFailures);
