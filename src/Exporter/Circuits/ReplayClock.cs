namespace RelayExporter.Circuits;

/// <summary>
/// The clock a circuit gives its Polly breaker: the real one, except while the circuit replays successes the breaker
/// did not see into it, when it reads the instant each happened (Polly's failure ratio samples by
/// <see cref="TimeProvider.GetUtcNow"/>, so the replayed successes leave its window when the originals would have).
/// </summary>
internal sealed class ReplayClock(TimeProvider real) : TimeProvider
{
    public DateTimeOffset? ReplayingAt { get; set; }

    public override DateTimeOffset GetUtcNow() => ReplayingAt ?? real.GetUtcNow();
    public override long GetTimestamp() => real.GetTimestamp();
    public override long TimestampFrequency => real.TimestampFrequency;
    public override TimeZoneInfo LocalTimeZone => real.LocalTimeZone;
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        real.CreateTimer(callback, state, dueTime, period);
}
