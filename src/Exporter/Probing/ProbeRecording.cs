using System.Diagnostics.CodeAnalysis;

namespace RelayExporter.Probing;

/// <summary>
/// Where probing hands what it did: each sink in the order given here, which the composition root (Hosting) writes once.
/// Every probe sent, on-demand ones too, goes to <paramref name="everyProbe"/> (what it spent counts whoever sent it);
/// a scheduled probe's result, once its circuit counted it, then goes to <paramref name="scheduled"/> (the store,
/// health, metrics: what an on-demand probe leaves untouched), and a skipped one to <paramref name="activity"/> — as long
/// as the configuration in force plans its series, and with the listings of the models it configures only (<see cref="RecordOnly"/>).
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "The plan's lock is never disposed: a reload can still come after the host disposed its services (a change of the file seen just before), and the lock holds nothing to release until threads contend for it.")]
public sealed class ProbeRecording(IReadOnlyList<IProbeResultSink> everyProbe, IReadOnlyList<IProbeResultSink> scheduled, IProbingActivity? activity)
{
    /// <summary>Records nothing: for a handler that only runs probes and returns their results.</summary>
    public static ProbeRecording Nothing { get; } = new([], [], null);

    // Arrays: a foreach over an interface list allocates an enumerator, twice per probe.
    private readonly IProbeResultSink[] _everyProbe = [.. everyProbe];
    private readonly IProbeResultSink[] _scheduled = [.. scheduled];
    // Held for reading while a series' result or skip is recorded, for writing while the planned series change: once
    // RecordOnly returned, no result of a series it left out is being recorded, nor will be.
    private readonly ReaderWriterLockSlim _planGate = new();
    // Null until the composition root says which series are planned: then every series and model is.
    private IReadOnlySet<ProbeKey>? _planned;
    private IReadOnlySet<(string Target, string Model)>? _models;

    public IReadOnlyList<IProbeResultSink> EveryProbe => _everyProbe;
    public IReadOnlyList<IProbeResultSink> Scheduled => _scheduled;

    /// <summary>
    /// From now on, records scheduled results and skips of these series only, and of a models list the listings of these
    /// <paramref name="models"/> only: a probe of a series or a model a reload removed that ends later leaves nothing
    /// behind. Returns once no result of another series is being recorded.
    /// </summary>
    public void RecordOnly(IReadOnlySet<ProbeKey> planned, IReadOnlySet<(string Target, string Model)> models)
    {
        _planGate.EnterWriteLock();
        try
        {
            _planned = planned;
            _models = models;
        }
        finally
        {
            _planGate.ExitWriteLock();
        }
    }

    public void RecordProbe(ProbeResult result, ProbeJob job)
    {
        foreach (var sink in _everyProbe) sink.Record(result, job);
    }

    public void RecordScheduledProbe(ProbeResult result, ProbeJob job)
    {
        _planGate.EnterReadLock();
        try
        {
            if (_planned?.Contains(job.Key) == false) return;
            var planned = _models is { } models ? result.ListingOnly(models) : result;
            foreach (var sink in _scheduled) sink.Record(planned, job);
        }
        finally
        {
            _planGate.ExitReadLock();
        }
    }

    public void RecordSkipped(ProbeKey key, string reason)
    {
        if (activity is null) return;
        _planGate.EnterReadLock();
        try
        {
            if (_planned?.Contains(key) == false) return;
            activity.RecordSkipped(key, reason);
        }
        finally
        {
            _planGate.ExitReadLock();
        }
    }

    public void RecordScheduleLag(TimeSpan lag) => activity?.RecordScheduleLag(lag);

    public InFlightProbe TrackInFlight() => activity?.TrackInFlight() ?? default;
}
