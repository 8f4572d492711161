using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Health;
using RelayExporter.Probing;
using RelayExporter.Probing.Http;
using RelayExporter.Spending;
using RelayExporter.Telemetry;

namespace RelayExporter.Hosting;

/// <summary>
/// Applies a reloaded configuration to every component that follows it, in one place and in a fixed order: the plan,
/// its series and the fleet's size are computed once, and each component gets what it needs. A component that must
/// follow reloads gets a step here (not a handler of its own on <see cref="RunningConfig"/>), where its order against
/// the others is stated.
/// </summary>
public sealed class ReloadReconciler
{
    // Cancelled probes end at once; this bounds a reload held by one that does not.
    private static readonly TimeSpan StoppedProbesWait = TimeSpan.FromSeconds(5);

    private readonly ProbeHttpClients _httpClients;
    private readonly CircuitBoard _circuits;
    private readonly HealthBoard _health;
    private readonly DailySpend _spend;
    private readonly ProbeResultStore _results;
    private readonly ExporterMetrics _metrics;
    private readonly ProbeScheduler _scheduler;
    private readonly ProbeRecording _recording;
    // The series of the configuration in force; only Apply changes it, and RunningConfig calls Apply one reload at a time.
    private HashSet<ProbeKey> _series;

    public ReloadReconciler(RunningConfig config, ProbeHttpClients httpClients, CircuitBoard circuits, HealthBoard health, DailySpend spend,
        ProbeResultStore results, ExporterMetrics metrics, ProbeScheduler scheduler, ProbeRecording recording)
    {
        _httpClients = httpClients;
        _circuits = circuits;
        _health = health;
        _spend = spend;
        _results = results;
        _metrics = metrics;
        _scheduler = scheduler;
        _recording = recording;
        _series = ProbePlan.From(config.Current).Select(j => j.Key).ToHashSet();
        _recording.RecordOnly(_series);
        config.ReconcileWith(Apply);
    }

    private void Apply(ExporterOptions previous, ExporterOptions next)
    {
        var plan = ProbePlan.From(next);
        var series = plan.Select(j => j.Key).ToHashSet();
        var seriesRemoved = _series.Any(key => !series.Contains(key));
        _series = series;

        // First, before anything a probe's result reaches forgets a removed series: its results and skips are recorded
        // nowhere from now on, whenever its probe in flight ends,
        _recording.RecordOnly(series);
        // and that probe, cancelled, ends before its circuit and health are forgotten, which it could bring back otherwise.
        if (seriesRemoved) _scheduler.StopUnplanned(series, StoppedProbesWait);

        // What probes and the pages read first: certificate checks, circuits and health states of removed targets go,
        // and circuits whose settings changed start afresh.
        _httpClients.RetainOnly(next);
        _circuits.RetainOnly(next);
        _health.RetainOnly(next);
        _spend.Project(next, plan);
        // The store drops the removed series before the metrics restart: the fresh instruments start from what the store
        // holds, and would publish a removed series' last values again otherwise.
        _results.RetainOnly(series);
        _metrics.Reconcile(FleetSize.Of(next, plan), seriesRemoved, previous.Metrics.GenAi != next.Metrics.GenAi);
        // Last, once everything a probe's result reaches follows the new configuration: stop the series whose settings
        // changed, start the new ones.
        _scheduler.Reconcile(next, plan);
    }
}
