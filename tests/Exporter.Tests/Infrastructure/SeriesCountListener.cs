using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace RelayExporter.Tests.Infrastructure;

/// <summary>Listens to every measurement of the exporter's meter and counts, per instrument, the distinct tag sets (series) it recorded.</summary>
public sealed class SeriesCountListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> _series = new();

    public SeriesCountListener(string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((instrument, _, tags, _) => Count(instrument, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Count(instrument, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Count(instrument, tags));
        _listener.Start();
    }

    /// <summary>Instrument name → series recorded so far (observable instruments are asked for theirs first).</summary>
    public IReadOnlyDictionary<string, int> Counts()
    {
        _listener.RecordObservableInstruments();
        return _series.ToDictionary(i => i.Key, i => i.Value.Count);
    }

    public void Dispose() => _listener.Dispose();

    private void Count(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = new List<string>(tags.Length);
        foreach (var (key, value) in tags) series.Add($"{key}={value}");
        series.Sort(StringComparer.Ordinal);
        _series.GetOrAdd(instrument.Name, _ => new()).TryAdd(string.Join(",", series), true);
    }
}
