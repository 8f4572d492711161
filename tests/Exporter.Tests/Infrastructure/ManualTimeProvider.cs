namespace RelayExporter.Tests.Infrastructure;

/// <summary>
/// A clock that moves only when the test moves it, with timers that fire when it passes their due time
/// (Microsoft.Extensions.TimeProvider.Testing is not available here).
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private long _elapsedTicks;

    public ManualTimeProvider() : this(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow() => start + TimeSpan.FromTicks(Interlocked.Read(ref _elapsedTicks));

    public override long GetTimestamp() => Interlocked.Read(ref _elapsedTicks);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Moves the clock forward in one jump, then fires on the calling thread every timer that fell due, earliest first.
    /// A callback sees the clock at its end, as after a pause, so code woken by it and re-arming a timer from "now"
    /// can never leave a due time behind the clock.
    /// </summary>
    public void Advance(TimeSpan by)
    {
        var end = Interlocked.Add(ref _elapsedTicks, by.Ticks);
        while (true)
        {
            ManualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.DueTicks <= end).MinBy(t => t.DueTicks);
                if (next is null) return;
                next.Fired();
            }
            next.Invoke();
        }
    }

    private sealed class ManualTimer(ManualTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        private long _periodTicks;

        public long DueTicks { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            bool dueNow;
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                _periodTicks = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
                if (dueTime == Timeout.InfiniteTimeSpan) return true;
                DueTicks = Interlocked.Read(ref clock._elapsedTicks) + dueTime.Ticks;
                dueNow = dueTime <= TimeSpan.Zero;
                if (dueNow) Fired();
                else clock._timers.Add(this);
            }
            // As a system timer does: never on the caller's thread, which may hold a lock the callback needs.
            if (dueNow) ThreadPool.UnsafeQueueUserWorkItem(_ => Invoke(), null);
            return true;
        }

        /// <summary>Called under the clock's lock: a periodic timer is due again one period later, a one-shot timer is done.</summary>
        public void Fired()
        {
            clock._timers.Remove(this);
            if (_periodTicks <= 0) return;
            DueTicks += _periodTicks;
            clock._timers.Add(this);
        }

        public void Invoke() => callback(state);

        public void Dispose()
        {
            lock (clock._gate) clock._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
