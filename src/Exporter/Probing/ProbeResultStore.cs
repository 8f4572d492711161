using System.Collections.Concurrent;
using RelayExporter.Configuration;
using RelayExporter.Outcomes;

namespace RelayExporter.Probing;

/// <summary>
/// The latest result of every probe series (what the gauges read, and the status API's health document and models
/// list), and the recent probes of every target (the status API and page). It keeps only what those readers need:
/// the latest results without their transcripts, the recent probes as compact summaries.
/// </summary>
public sealed class ProbeResultStore : IProbeResultSink
{
    public const int HistoryLength = 50;

    private readonly ConcurrentDictionary<ProbeKey, ProbeResult> _latest = new();
    private readonly ConcurrentDictionary<string, ProbeHistory> _history = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ProbeKey, SeriesMarks> _marks = new();
    // The health documents apart from the results: a scrape reads them five times, and walking every result for them
    // (one in two is a models probe) cost more than the gauges they feed.
    private readonly ConcurrentDictionary<string, RelayHealthDocument> _healthDocuments = new(StringComparer.Ordinal);

    public void Add(ProbeResult result)
    {
        var history = _history.GetOrAdd(result.Key.Target, _ => new ProbeHistory(HistoryLength));
        var reason = history.Add(result);
        var whole = reason.Length == result.Reason.Length ? reason : result.Reason;
        _latest[result.Key] = result with { Reason = whole, Transcript = null };
        if (result.Health is { } document) _healthDocuments[result.Key.Target] = document;
        else if (result.Key.Check == CheckKinds.Health.Name) _healthDocuments.TryRemove(result.Key.Target, out _);
        if (!result.Outcome.WasSent()) return; // neither a success nor a failure
        var probe = new RecentProbe(result.StartedAt, result.Key.Check, result.Key.Model, result.Outcome, result.Duration, whole);
        // A models list without a configured model is a success for the target (that model's listing says the rest).
        _marks.AddOrUpdate(result.Key,
            static (_, p) => p.Succeeded ? new SeriesMarks(p.Probe.StartedAt, null) : new SeriesMarks(null, p.Probe),
            static (_, marks, p) => p.Succeeded ? marks with { LastSuccessAt = p.Probe.StartedAt } : marks with { LastFailure = p.Probe },
            (Probe: probe, Succeeded: result.ScopeSucceeded));
    }

    void IProbeResultSink.Record(ProbeResult result, ProbeJob job) => Add(result);

    /// <summary>The series' latest success and latest failure since the exporter started, however long ago (probes not sent do not count).</summary>
    public SeriesMarks MarksOf(ProbeKey key) => _marks.GetValueOrDefault(key);

    /// <summary>The latest result of every series, without its transcript, read as the enumeration goes (no copy: a scrape reads it several times).</summary>
    public IEnumerable<ProbeResult> Latest => _latest.Select(entry => entry.Value);

    /// <summary>The health document of every target whose latest health probe got one, read as the enumeration goes.</summary>
    public IEnumerable<KeyValuePair<string, RelayHealthDocument>> HealthDocuments => _healthDocuments;

    /// <summary>The latest result of one series, without its transcript; null before its first probe.</summary>
    public ProbeResult? LatestOf(ProbeKey key) => _latest.GetValueOrDefault(key);

    /// <summary>The target's most recent probes (at most <see cref="HistoryLength"/>), oldest first.</summary>
    public IReadOnlyList<RecentProbe> History(string target) => _history.TryGetValue(target, out var history) ? history.ToArray() : [];

    /// <summary>
    /// Forgets series, targets and models no longer configured, so their gauges disappear from /metrics: a models probe's
    /// latest result keeps the listings of the configured <paramref name="models"/> only.
    /// </summary>
    public void RetainOnly(IReadOnlySet<ProbeKey> keys, IReadOnlySet<(string Target, string Model)> models)
    {
        foreach (var key in _latest.Keys.Where(k => !keys.Contains(k))) _latest.TryRemove(key, out _);
        foreach (var (key, result) in _latest)
        {
            var listing = result.ListingOnly(models);
            // Only if no newer result came meanwhile (a probe of a kept series goes on during a reload).
            if (!ReferenceEquals(listing, result)) _latest.TryUpdate(key, listing, result);
        }
        foreach (var key in _marks.Keys.Where(k => !keys.Contains(k))) _marks.TryRemove(key, out _);
        var targets = keys.Select(k => k.Target).ToHashSet(StringComparer.Ordinal);
        foreach (var target in _history.Keys.Where(t => !targets.Contains(t))) _history.TryRemove(target, out _);
        foreach (var target in _healthDocuments.Keys.Where(t => !keys.Contains(new ProbeKey(t, CheckKinds.Health.Name, null)))) _healthDocuments.TryRemove(target, out _);
    }
}

/// <summary>When a series last succeeded and how it last failed; both null before the first of each.</summary>
public readonly record struct SeriesMarks(DateTimeOffset? LastSuccessAt, RecentProbe? LastFailure);
