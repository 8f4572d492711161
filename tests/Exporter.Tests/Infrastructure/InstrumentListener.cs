using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace RelayExporter.Tests.Infrastructure;

/// <summary>Every instrument the given meters publish, and the distinct sets of tag keys each one recorded.</summary>
public sealed class InstrumentListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, ConcurrentDictionary<string, string[]>> _tagKeys = new();

    public InstrumentListener(params string[] meterNames)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!meterNames.Contains(instrument.Meter.Name)) return;
            _tagKeys.TryAdd(instrument, new());
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((instrument, _, tags, _) => OnMeasurement(instrument, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => OnMeasurement(instrument, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => OnMeasurement(instrument, tags));
        _listener.Start();
    }

    /// <summary>Instrument → each set of tag keys it recorded (observable instruments are asked for theirs first).</summary>
    public IReadOnlyDictionary<Instrument, IReadOnlyList<string[]>> Published()
    {
        _listener.RecordObservableInstruments();
        return _tagKeys.ToDictionary(i => i.Key, i => (IReadOnlyList<string[]>)i.Value.Values.ToList());
    }

    private void OnMeasurement(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var keys = new string[tags.Length];
        for (var i = 0; i < tags.Length; i++) keys[i] = tags[i].Key;
        Array.Sort(keys, StringComparer.Ordinal);
        _tagKeys.GetOrAdd(instrument, _ => new()).TryAdd(string.Join(",", keys), keys);
    }

    public void Dispose() => _listener.Dispose();
}
