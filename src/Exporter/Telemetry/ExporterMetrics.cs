using System.Diagnostics.Metrics;
using Polly.CircuitBreaker;
using RelayExporter.Sharding;
using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Health;
using RelayExporter.Probing;
using RelayExporter.Spending;

namespace RelayExporter.Telemetry;

/// <summary>
/// Where the exporter records what it observed. The instruments themselves live in <see cref="ExporterInstruments"/>;
/// <see cref="Restart"/> replaces them with fresh ones, which is how the counters and histograms of removed targets
/// leave /metrics (OpenTelemetry drops the series of a disposed Meter; the others restart from zero, which rate() handles),
/// and how the instruments get larger cardinality limits when a reload grows the fleet or an open-ended instrument
/// (<see cref="OpenEndedSeries"/>) runs short.
/// </summary>
public sealed class ExporterMetrics : IProbeResultSink, IProbingActivity, IDisposable
{
    public const string MeterName = "RelayExporter";

    private readonly Func<ExporterInstruments> _create;
    private readonly InProcessScrape _collection;
    private readonly CardinalityLimits _limits;
    private readonly ProbeResultStore _results;
    private readonly OpenEndedSeries _openEnded = new();
    private readonly ITimer _stateRefresh;
    private readonly object _restartGate = new();
    // Held while a probe's result or a circuit's transition is recorded, and while a restart records the latest results
    // into the fresh instruments and publishes them: a result that ends during a restart is then either among those the
    // fresh instruments start from, or recorded into them after, never lost to the disposed ones until its next probe.
    // A restart holds it for the replay only (not its two collections), and probes hold it a few microseconds each.
    private readonly Lock _recordGate = new();
    private ExporterInstruments _instruments;
    private bool _disposed;

    public ExporterMetrics(ProbeResultStore results, HealthBoard health, CircuitBoard circuits, RunningConfig config, BuildInfo build, Shard shard, TimeProvider time,
        DailySpend spend, InProcessScrape collection, CardinalityLimits limits)
    {
        _collection = collection;
        _limits = limits;
        _results = results;
        _create = () => new ExporterInstruments(results, health, circuits, config, build, shard, time, spend, _openEnded);
        _limits.SizedFor = FleetSize.Of(config.Current);
        _instruments = _create();
        circuits.Transitioned += RecordCircuitTransition;
        // A health state nobody confirms turns unknown with time alone, and a Retry-After pause ends with time. The refresh
        // walks every target, model and circuit: every second it cost ~6 % of the exporter's CPU at 10,000 series; every
        // 5 s it costs a fifth of that and is still a third of a 15 s scrape interval.
        _stateRefresh = time.CreateTimer(_ => OnTick(), null, StateRefreshInterval, StateRefreshInterval);
    }

    internal static readonly TimeSpan StateRefreshInterval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan CollectionTimeout = TimeSpan.FromSeconds(5);

    public void RecordProbe(ProbeResult result, TargetOptions target)
    {
        using var _ = _recordGate.EnterScope();
        _instruments.RecordProbe(result, target);
    }

    private void RecordCircuitTransition(CircuitKey key, CircuitState state)
    {
        using var _ = _recordGate.EnterScope();
        _instruments.RecordCircuitTransition(key, state);
    }

    public void RecordSkipped(ProbeKey key, string reason) => Volatile.Read(ref _instruments).RecordSkipped(key, reason);

    public void RecordScheduleLag(TimeSpan lag) => Volatile.Read(ref _instruments).RecordScheduleLag(lag);

    /// <summary>Counts a probe as in flight until the returned token is disposed.</summary>
    public InFlightProbe TrackInFlight() => Volatile.Read(ref _instruments).TrackInFlight();

    /// <summary>
    /// After a reload: restarts the instruments when series were removed (so that their counters leave /metrics), when the
    /// fleet outgrew the cardinality limits, or when the GenAI instruments were switched on or off (they exist only while
    /// the configuration asks for them). The fresh instruments start from the result store's latest results: it must
    /// have dropped the removed series before.
    /// </summary>
    internal void Reconcile(FleetSize fleet, bool seriesRemoved, bool genAiSwitched)
    {
        if (seriesRemoved || genAiSwitched || fleet.Exceeds(_limits.SizedFor)) Restart(fleet);
    }

    void IProbeResultSink.Record(ProbeResult result, ProbeJob job) => RecordProbe(result, job.Target);

    private void OnTick()
    {
        Volatile.Read(ref _instruments).RefreshStates();
        if (_limits.TooSmallFor(_openEnded.Counts())) Restart(_limits.SizedFor);
    }

    /// <summary>
    /// Replaces every instrument with a fresh one, its cardinality limit sized for <paramref name="fleet"/> and for what
    /// the open-ended instruments hold now. Once disposed, does nothing: a reload can still come after shutdown (a change
    /// of the file seen just before), and it must neither create instruments nor throw where nobody observes it.
    /// </summary>
    internal void Restart(FleetSize fleet)
    {
        lock (_restartGate)
        {
            if (_disposed) return;
            Volatile.Read(ref _instruments).Dispose();
            // One collection lets the SDK drop the disposed instruments' series; without it their last values would
            // share a scrape with the new instruments' series of the same names and labels (a duplicate-sample error).
            // Twice: the first may join a scrape's collection that started before the disposal and passed some of these
            // instruments already; the second then starts after it.
            _collection.CollectAndDiscard(CollectionTimeout);
            _collection.CollectAndDiscard(CollectionTimeout);
            _limits.SizedFor = fleet;
            _limits.ObservedWhenSized = _openEnded.Counts();
            _openEnded.Clear();
            var fresh = _create();
            using var recording = _recordGate.EnterScope();
            fresh.RecordCurrent(_results.Latest);
            Volatile.Write(ref _instruments, fresh);
        }
    }

    public void Dispose()
    {
        lock (_restartGate)
        {
            _disposed = true;
            _stateRefresh.Dispose();
            _instruments.Dispose();
        }
    }
}
