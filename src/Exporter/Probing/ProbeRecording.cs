namespace RelayExporter.Probing;

/// <summary>
/// Where probing hands what it did: each sink in the order given here, which the composition root (Hosting) writes once.
/// Every probe sent, on-demand ones too, goes to <paramref name="everyProbe"/> (what it spent counts whoever sent it);
/// a scheduled probe's result, once its circuit counted it, then goes to <paramref name="scheduled"/> (the store,
/// health, metrics: what an on-demand probe leaves untouched).
/// </summary>
public sealed class ProbeRecording(IReadOnlyList<IProbeResultSink> everyProbe, IReadOnlyList<IProbeResultSink> scheduled, IProbingActivity? activity)
{
    /// <summary>Records nothing: for a handler that only runs probes and returns their results.</summary>
    public static ProbeRecording Nothing { get; } = new([], [], null);

    // Arrays: a foreach over an interface list allocates an enumerator, twice per probe.
    private readonly IProbeResultSink[] _everyProbe = [.. everyProbe];
    private readonly IProbeResultSink[] _scheduled = [.. scheduled];

    public IReadOnlyList<IProbeResultSink> EveryProbe => _everyProbe;
    public IReadOnlyList<IProbeResultSink> Scheduled => _scheduled;

    public void RecordProbe(ProbeResult result, ProbeJob job)
    {
        foreach (var sink in _everyProbe) sink.Record(result, job);
    }

    public void RecordScheduledProbe(ProbeResult result, ProbeJob job)
    {
        foreach (var sink in _scheduled) sink.Record(result, job);
    }

    public void RecordSkipped(ProbeKey key, string reason) => activity?.RecordSkipped(key, reason);

    public void RecordScheduleLag(TimeSpan lag) => activity?.RecordScheduleLag(lag);

    public InFlightProbe TrackInFlight() => activity?.TrackInFlight() ?? default;
}
