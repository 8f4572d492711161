namespace RelayExporter.Probing;

/// <summary>
/// One target's most recent probes, at most <c>capacity</c>, packed small because thousands of targets keep 50 each:
/// a probe takes 32 bytes (its times as ticks, its series as an index into the target's few series), and equal
/// reasons share one string, so a series that keeps ending the same way keeps its reason once.
/// </summary>
internal sealed class ProbeHistory(int capacity)
{
    private readonly object _gate = new();
    private readonly List<(string Check, string? Model)> _series = [];
    private Entry[] _entries = [];
    private int _oldest;
    private int _count;

    /// <returns>The reason as kept: an equal reason already in the history, or else the result's own.</returns>
    public string Add(ProbeResult result)
    {
        lock (_gate)
        {
            var reason = SharedReason(result.Reason);
            var entry = new Entry(result.StartedAt.UtcTicks, result.Duration.Ticks, reason, SeriesIndex(result.Key), result.Outcome);
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
                probes[i] = new RecentProbe(new DateTimeOffset(entry.StartedAtUtcTicks, TimeSpan.Zero), check, model, entry.Outcome,
                    TimeSpan.FromTicks(entry.DurationTicks), entry.Reason);
            }
            return probes;
        }
    }

    private int SeriesIndex(ProbeKey key)
    {
        for (var i = 0; i < _series.Count; i++)
            if (_series[i].Check == key.Check && _series[i].Model == key.Model) return i;
        _series.Add((key.Check, key.Model));
        return _series.Count - 1;
    }

    private string SharedReason(string reason)
    {
        for (var i = 0; i < _count; i++)
            if (string.Equals(_entries[i].Reason, reason, StringComparison.Ordinal)) return _entries[i].Reason;
        return reason;
    }

    private readonly record struct Entry(long StartedAtUtcTicks, long DurationTicks, string Reason, int Series, ProbeOutcome Outcome);
}
