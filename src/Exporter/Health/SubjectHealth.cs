using RelayExporter.Probing;

namespace RelayExporter.Health;

/// <summary>
/// The health of a target or of a model on a target: the worst of the checks that concern it, each with a tracker of
/// its own, so that one check's successes cannot hide another's failures. A target's checks are health and models; a
/// model's are chat, stream and whether the models check lists it — a listed model that fails every completion is
/// unhealthy. A target is degraded at least while it asked us to wait (Retry-After), whichever check was told so.
/// </summary>
public sealed class SubjectHealth(string target, RetryAfterGate? retryAfter)
{
    private readonly Lock _gate = new();
    // A handful of checks at most: a small array costs less than a dictionary, kept for every target and model. Kept in
    // ordinal order of the check's name, the order in which a verdict compares them (asked for every subject at every state refresh).
    private (string Check, HealthTracker Tracker)[] _checks = [];

    internal HealthTracker Check(string check, Func<HealthTracker> create)
    {
        lock (_gate)
        {
            foreach (var (name, tracker) in _checks)
                if (string.Equals(name, check, StringComparison.OrdinalIgnoreCase)) return tracker;
            var created = create();
            _checks = [.. _checks.Append((Check: check, Tracker: created)).OrderBy(c => c.Check, StringComparer.Ordinal)];
            return created;
        }
    }

    public HealthTracker? ForCheck(string check) =>
        Volatile.Read(ref _checks).FirstOrDefault(c => string.Equals(c.Check, check, StringComparison.OrdinalIgnoreCase)).Tracker;

    public HealthState StateAt(DateTimeOffset now) => VerdictAt(now).State;

    /// <summary>The state, the check that decides it and why. Unknown only while every check is unknown.</summary>
    public HealthVerdict VerdictAt(DateTimeOffset now)
    {
        var verdict = new HealthVerdict(HealthState.Unknown, null, null, null, 0);
        foreach (var (check, tracker) in Volatile.Read(ref _checks))
        {
            var state = tracker.StateAt(now);
            if (state == HealthState.Unknown || (verdict.State != HealthState.Unknown && state <= verdict.State)) continue;
            verdict = new HealthVerdict(state, check, tracker.Reason, tracker.ChangedAt, tracker.ConsecutiveFailures);
        }
        if (retryAfter?.PausedFor(target) is { } pause && verdict.State is HealthState.Unknown or HealthState.Healthy)
            verdict = new HealthVerdict(HealthState.Degraded, pause.Check, pause.Reason, pause.Since, verdict.ConsecutiveFailures);
        return verdict;
    }
}

/// <summary>A state, the check whose state it is, why, since when, and that check's failures in a row.</summary>
public readonly record struct HealthVerdict(HealthState State, string? Check, string? Reason, DateTimeOffset? Since, int ConsecutiveFailures);
