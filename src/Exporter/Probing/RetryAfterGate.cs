using System.Collections.Concurrent;
using RelayExporter.Configuration;
using RelayExporter.Outcomes;

namespace RelayExporter.Probing;

/// <summary>
/// Remembers, per target, when it asked us to come back (Retry-After on 429/503/529, honoured up to
/// <c>probing.max_retry_after</c>); no probe of it goes out before. A sink of scheduled results and a gate of scheduled probes.
/// </summary>
public sealed class RetryAfterGate(RunningConfig config, TimeProvider time) : IProbeResultSink, IProbeGate
{
    private readonly ConcurrentDictionary<string, RetryAfterPause> _pauses = new();

    public void Observe(ProbeResult result)
    {
        if (result.Trace?.RetryAfter is not { } wait || result.Outcome is not (ProbeOutcome.RateLimited or ProbeOutcome.Overloaded or ProbeOutcome.ServerError))
            return;
        var longest = config.Current.Probing.MaxRetryAfter;
        var honoured = wait < longest ? wait : longest;
        var now = time.GetUtcNow();
        var asked = honoured < wait ? $"Retry-After {wait.TotalSeconds:0.###}s, honoured up to {longest.TotalSeconds:0.###}s" : $"Retry-After {wait.TotalSeconds:0.###}s";
        _pauses[result.Key.Target] = new RetryAfterPause(now, now + honoured, result.Key.Check,
            $"{result.Key.Check}: {result.Outcome.Label()} ({asked}): probes wait until {now + honoured:HH:mm:ss}Z");
    }

    void IProbeResultSink.Record(ProbeResult result, ProbeJob job) => Observe(result);

    string? IProbeGate.SkipReason(ProbeJob job) => ClosedUntil(job.Target.Name) is null ? null : SkipReasons.RetryAfter;

    /// <summary>When the target may be probed again, or null when it may be now.</summary>
    public DateTimeOffset? ClosedUntil(string target) => PausedFor(target)?.Until;

    /// <summary>The pause the target asked for, while it lasts.</summary>
    public RetryAfterPause? PausedFor(string target) =>
        _pauses.TryGetValue(target, out var pause) && pause.Until > time.GetUtcNow() ? pause : null;
}

/// <summary>A pause a target asked for: since when, until when, which check was told so and why.</summary>
public sealed record RetryAfterPause(DateTimeOffset Since, DateTimeOffset Until, string Check, string Reason);
