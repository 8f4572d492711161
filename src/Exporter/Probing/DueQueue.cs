using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace RelayExporter.Probing;

/// <summary>
/// Items waiting for their due time, earliest first, for one consumer. A single timer of the injected clock is armed
/// for the earliest due time, however many items wait: adding an item due sooner re-arms it. The consumer is woken at
/// most once per <c>spacing</c>: items falling due closer together than that are taken together.
/// </summary>
[SuppressMessage("Naming", "CA1711", Justification = "It is a queue, by due time, with no collection interface to implement.")]
public sealed class DueQueue<T> : IDisposable
{
    private readonly object _gate = new();
    private readonly PriorityQueue<T, DateTimeOffset> _queue = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly TimeProvider _time;
    private readonly TimeSpan _spacing;
    private readonly ITimer _timer;
    private DateTimeOffset _armedFor = DateTimeOffset.MaxValue;
    private DateTimeOffset _lastTaken = DateTimeOffset.MinValue;

    public DueQueue(TimeProvider time, TimeSpan spacing)
    {
        _time = time;
        _spacing = spacing;
        _timer = time.CreateTimer(_ => _wake.Writer.TryWrite(true), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Add(T item, DateTimeOffset due)
    {
        lock (_gate)
        {
            _queue.Enqueue(item, due);
            var wake = WakeTime(due);
            if (wake < _armedFor) Arm(wake);
        }
    }

    /// <summary>Waits until at least one item is due, then moves every item that is due into <paramref name="due"/>, earliest first.</summary>
    public async Task TakeDueAsync(List<T> due, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                while (_queue.TryPeek(out var item, out var at) && at <= now)
                {
                    _queue.Dequeue();
                    due.Add(item);
                }
                if (due.Count > 0) _lastTaken = now;
                _armedFor = DateTimeOffset.MaxValue;
                if (_queue.TryPeek(out _, out var next)) Arm(WakeTime(next));
                if (due.Count > 0) return;
            }
            await _wake.Reader.ReadAsync(cancellationToken);
        }
    }

    private DateTimeOffset WakeTime(DateTimeOffset due) => due > _lastTaken + _spacing ? due : _lastTaken + _spacing;

    private void Arm(DateTimeOffset wake)
    {
        _armedFor = wake;
        // Rounded up to whole milliseconds, which is what timers count: a timer that fires before the due time is a wasted wake-up.
        var wait = Math.Ceiling(Math.Max(0, (wake - _time.GetUtcNow()).TotalMilliseconds));
        _timer.Change(TimeSpan.FromMilliseconds(wait), Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _timer.Dispose();
}
