using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace RelayExporter.Tests.Infrastructure;

/// <summary>
/// Notes, per instrument of the exporter's meter, whether its tags came in ordinal key order (OpenTelemetry stores a
/// series twice when they do not).
/// </summary>
public sealed class TagOrderListener(string meterName) : ExporterMeterListener(meterName)
{
    private readonly ConcurrentDictionary<string, string> _unordered = new();
    private readonly ConcurrentDictionary<string, bool> _measured = new();

    /// <summary>Instruments that recorded at least one measurement with tags.</summary>
    public IReadOnlyCollection<string> Measured
    {
        get
        {
            RecordObservableInstruments();
            return _measured.Keys.ToList();
        }
    }

    /// <summary>Instrument name → the first key sequence it recorded out of order.</summary>
    public IReadOnlyDictionary<string, string> Unordered => _unordered;

    protected override void OnMeasurement(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return;
        _measured.TryAdd(instrument.Name, true);
        for (var i = 1; i < tags.Length; i++)
            if (string.CompareOrdinal(tags[i - 1].Key, tags[i].Key) >= 0)
            {
                var keys = new string[tags.Length];
                for (var k = 0; k < tags.Length; k++) keys[k] = tags[k].Key;
                _unordered.TryAdd(instrument.Name, string.Join(", ", keys));
                return;
            }
    }
}
