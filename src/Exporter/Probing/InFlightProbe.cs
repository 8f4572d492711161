namespace RelayExporter.Probing;

/// <summary>
/// A probe counted as in flight (<see cref="IProbingActivity.TrackInFlight"/>) until its prober disposes this. A struct,
/// disposed where it was made: one per probe, and nothing allocated for it. The default one counts nothing.
/// </summary>
public readonly struct InFlightProbe : IDisposable
{
    private readonly IInFlightCounter? _counter;

    /// <param name="counter">What counted the probe in, and counts it out on <see cref="Dispose"/>.</param>
    public InFlightProbe(IInFlightCounter counter) => _counter = counter;

    public void Dispose() => _counter?.Ended();
}

/// <summary>What counts the probes in flight: it counted one in when it made its <see cref="InFlightProbe"/>.</summary>
public interface IInFlightCounter
{
    /// <summary>One probe fewer in flight.</summary>
    void Ended();
}
