using System.Collections.Concurrent;

namespace RelayExporter.Probing;

/// <summary>Remembers, per target, when it asked us to come back (Retry-After on 429/503/529); no probe of it goes out before.</summary>
public sealed class RetryAfterGate(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _notBefore = new();

    public void Observe(ProbeResult result)
    {
        if (result.Trace?.RetryAfter is { } wait && result.Outcome is ProbeOutcome.RateLimited or ProbeOutcome.Overloaded or ProbeOutcome.ServerError)
            _notBefore[result.Key.Target] = time.GetUtcNow() + wait;
    }

    /// <summary>When the target may be probed again, or null when it may be now.</summary>
    public DateTimeOffset? ClosedUntil(string target) =>
        _notBefore.TryGetValue(target, out var until) && until > time.GetUtcNow() ? until : null;
}
