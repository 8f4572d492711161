using System.Collections.Concurrent;

namespace RelayExporter.Probing;

/// <summary>The latest result of every probe series; what gauges, the status API and the status page read.</summary>
public sealed class ProbeResultStore
{
    private readonly ConcurrentDictionary<ProbeKey, ProbeResult> _latest = new();

    public void Add(ProbeResult result) => _latest[result.Key] = result;

    public IReadOnlyCollection<ProbeResult> Latest => (IReadOnlyCollection<ProbeResult>)_latest.Values;

    public ProbeResult? Get(ProbeKey key) => _latest.GetValueOrDefault(key);

    /// <summary>Forgets series no longer configured, so their gauges disappear from /metrics.</summary>
    public void RetainOnly(IReadOnlySet<ProbeKey> keys)
    {
        foreach (var key in _latest.Keys.Where(k => !keys.Contains(k))) _latest.TryRemove(key, out _);
    }
}
