using System.Diagnostics.Metrics;

namespace RelayExporter.Tests.Infrastructure;

/// <summary>Listens to every measurement (int, long, double) of one meter and hands each one's instrument and tags to the subclass.</summary>
public abstract class ExporterMeterListener : IDisposable
{
    private readonly MeterListener _listener = new();

    protected ExporterMeterListener(string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((instrument, _, tags, _) => OnMeasurement(instrument, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => OnMeasurement(instrument, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => OnMeasurement(instrument, tags));
        _listener.Start();
    }

    /// <summary>Asks the observable instruments for their measurements now.</summary>
    protected void RecordObservableInstruments() => _listener.RecordObservableInstruments();

    protected abstract void OnMeasurement(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    public void Dispose()
    {
        _listener.Dispose();
        GC.SuppressFinalize(this);
    }
}
