using System.Collections.Concurrent;
using RelayExporter.Configuration;

namespace RelayExporter.Probing;

/// <summary>
/// The latest result of every probe series, and the recent results of every target: what the gauges, the status API
/// and the status page read.
/// </summary>
public sealed class ProbeResultStore
{
    public ProbeResultStore(RunningConfig config) =>
        config.Changed += (_, next) => RetainOnly(ProbePlan.From(next).Select(j => j.Key).ToHashSet());

    public const int HistoryLength = 50;

    private readonly ConcurrentDictionary<ProbeKey, ProbeResult> _latest = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ProbeResult>> _history = new(StringComparer.Ordinal);

    /// <summary>Keeps the result without its transcript: only the debug trace of an on-demand probe reads that.</summary>
    public void Add(ProbeResult result)
    {
        result = result with { Transcript = null };
        _latest[result.Key] = result;
        var history = _history.GetOrAdd(result.Key.Target, _ => new ConcurrentQueue<ProbeResult>());
        history.Enqueue(result);
        while (history.Count > HistoryLength) history.TryDequeue(out _);
    }

    public IReadOnlyCollection<ProbeResult> Latest => (IReadOnlyCollection<ProbeResult>)_latest.Values;

    /// <summary>The target's most recent results, oldest first.</summary>
    public IReadOnlyList<ProbeResult> History(string target) => _history.TryGetValue(target, out var history) ? history.ToList() : [];

    /// <summary>Forgets series and targets no longer configured, so their gauges disappear from /metrics.</summary>
    public void RetainOnly(IReadOnlySet<ProbeKey> keys)
    {
        foreach (var key in _latest.Keys.Where(k => !keys.Contains(k))) _latest.TryRemove(key, out _);
        var targets = keys.Select(k => k.Target).ToHashSet(StringComparer.Ordinal);
        foreach (var target in _history.Keys.Where(t => !targets.Contains(t))) _history.TryRemove(target, out _);
    }
}
