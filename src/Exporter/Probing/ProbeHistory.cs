using RelayExporter.Outcomes;

namespace RelayExporter.Probing;

/// <summary>
/// One target's most recent probes, at most <c>capacity</c>, packed small because thousands of targets keep 50 each:
/// a probe takes 24 bytes (see <see cref="Entry"/>), and equal reasons share one string, so a series that keeps
/// ending the same way keeps its reason once.
/// </summary>
internal sealed class ProbeHistory(int capacity)
{
    private readonly object _gate = new();
    private readonly List<(string Check, string? Model)> _series = [];
    private Entry[] _entries = [];
    private int _oldest;
    private int _count;

    /// <summary>
    /// Longest reason kept in the history: a failure's reason can carry a 512-byte body excerpt, and bodies that differ
    /// every time (request ids) share nothing, so 5,000 targets × 50 full reasons could reach hundreds of megabytes.
    /// </summary>
    public const int MaxReasonLength = 200;

    /// <returns>The reason as kept: an equal reason already in the history, or else the result's own.</returns>
    public string Add(ProbeResult result)
    {
        lock (_gate)
        {
            var reason = SharedReason(result.Reason.Length > MaxReasonLength ? result.Reason[..(MaxReasonLength - 1)] + "…" : result.Reason);
            var entry = new Entry(result.StartedAt, result.Duration, SeriesIndex(result.Key), result.Outcome, reason);
            if (_count < capacity)
            {
                // Not yet full: entries fill the array from its start, which grows as a list does.
                if (_count == _entries.Length) Array.Resize(ref _entries, Math.Min(capacity, Math.Max(4, _count * 2)));
                _entries[_count++] = entry;
            }
            else
            {
                _entries[_oldest] = entry;
                _oldest = (_oldest + 1) % capacity;
            }
            return reason;
        }
    }

    /// <summary>The probes, oldest first.</summary>
    public RecentProbe[] ToArray()
    {
        lock (_gate)
        {
            var probes = new RecentProbe[_count];
            for (var i = 0; i < _count; i++)
            {
                var entry = _entries[(_oldest + i) % _entries.Length];
                var (check, model) = _series[entry.Series];
                probes[i] = new RecentProbe(entry.StartedAt, check, model, entry.Outcome, entry.Duration, entry.Reason);
            }
            return probes;
        }
    }

    private int SeriesIndex(ProbeKey key)
    {
        for (var i = 0; i < _series.Count; i++)
            if (_series[i].Check == key.Check && _series[i].Model == key.Model) return i;
        // 65,536 series of one target would be 32,768 models with chat and stream each: not a configuration.
        if (_series.Count > Entry.MaxSeries) throw new InvalidOperationException($"target {key.Target} has more than {Entry.MaxSeries + 1} probe series");
        _series.Add((key.Check, key.Model));
        return _series.Count - 1;
    }

    private string SharedReason(string reason)
    {
        for (var i = 0; i < _count; i++)
            if (string.Equals(_entries[i].Reason, reason, StringComparison.Ordinal)) return _entries[i].Reason;
        return reason;
    }

    /// <summary>
    /// One probe in 24 bytes: when it started (UTC ticks), the reason, and one word holding its duration (ticks, 40
    /// bits: up to 30 hours, far beyond any timeout), its series (an index into the target's series, 16 bits) and its
    /// outcome (8 bits).
    /// </summary>
    private readonly struct Entry
    {
        public const int MaxSeries = ushort.MaxValue;
        private const int DurationBits = 40;
        private const long MaxDurationTicks = (1L << DurationBits) - 1;

        private readonly long _startedAtUtcTicks;
        private readonly ulong _durationSeriesOutcome;

        public Entry(DateTimeOffset startedAt, TimeSpan duration, int series, ProbeOutcome outcome, string reason)
        {
            _startedAtUtcTicks = startedAt.UtcTicks;
            _durationSeriesOutcome = (ulong)Math.Clamp(duration.Ticks, 0, MaxDurationTicks)
                | (ulong)(ushort)series << DurationBits
                | (ulong)(byte)outcome << (DurationBits + 16);
            Reason = reason;
        }

        public string Reason { get; }
        public DateTimeOffset StartedAt => new(_startedAtUtcTicks, TimeSpan.Zero);
        public TimeSpan Duration => TimeSpan.FromTicks((long)(_durationSeriesOutcome & MaxDurationTicks));
        public int Series => (ushort)(_durationSeriesOutcome >> DurationBits);
        public ProbeOutcome Outcome => (ProbeOutcome)(byte)(_durationSeriesOutcome >> (DurationBits + 16));
    }
}
