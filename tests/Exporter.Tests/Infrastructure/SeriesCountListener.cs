using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace RelayExporter.Tests.Infrastructure;

/// <summary>Counts, per instrument of the exporter's meter, the distinct tag sets (series) it recorded.</summary>
public sealed class SeriesCountListener(string meterName) : ExporterMeterListener(meterName)
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> _series = new();

    /// <summary>Instrument name → series recorded so far (observable instruments are asked for theirs first).</summary>
    public IReadOnlyDictionary<string, int> Counts()
    {
        RecordObservableInstruments();
        return _series.ToDictionary(i => i.Key, i => i.Value.Count);
    }

    protected override void OnMeasurement(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = new List<string>(tags.Length);
        foreach (var (key, value) in tags) series.Add($"{key}={value}");
        series.Sort(StringComparer.Ordinal);
        _series.GetOrAdd(instrument.Name, _ => new()).TryAdd(string.Join(",", series), true);
    }
}
