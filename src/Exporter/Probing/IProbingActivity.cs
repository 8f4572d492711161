namespace RelayExporter.Probing;

/// <summary>What probing reports of its own work besides results: probes not sent, how late probes started, probes in flight.</summary>
public interface IProbingActivity
{
    /// <param name="reason">One of <see cref="Outcomes.SkipReasons"/>.</param>
    void RecordSkipped(ProbeKey key, string reason);

    /// <summary>How long after its due time a scheduled probe started.</summary>
    void RecordScheduleLag(TimeSpan lag);

    /// <summary>Counts a probe as in flight until the returned token is disposed.</summary>
    InFlightProbe TrackInFlight();
}
