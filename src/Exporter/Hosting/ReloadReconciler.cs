using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Health;
using RelayExporter.Probing;
using RelayExporter.Probing.Http;
using RelayExporter.Spending;
using RelayExporter.Telemetry;

namespace RelayExporter.Hosting;

/// <summary>
/// Checks a reloaded configuration and applies it to every component that follows it, in one place and in a fixed
/// order: the plan, its series, its spend projection and the fleet's size are computed once, and each component gets
/// what it needs. A component that must follow reloads gets a step here (not a handler of its own on
/// <see cref="RunningConfig"/>), where its order against the others is stated.
/// </summary>
public sealed class ReloadReconciler
{
    // Cancelled probes end at once; this bounds a reload held by one that does not.
    private static readonly TimeSpan StoppedProbesWait = TimeSpan.FromSeconds(5);

    private readonly ProbePlanner _plan;
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
    // The configured models of the targets in force: a model removed from a target takes its health and listing series
    // with it, even when no probe series goes (a target whose checks are health and models only).
    private HashSet<(string Target, string Model)> _models;
    // What Check planned of the file being reloaded, for Apply: RunningConfig checks and applies under one lock.
    private (IReadOnlyList<ProbeJob> Plan, SpendProjection Projection)? _checked;

    public ReloadReconciler(RunningConfig config, ProbePlanner plan, ProbeHttpClients httpClients, CircuitBoard circuits, HealthBoard health,
        DailySpend spend, ProbeResultStore results, ExporterMetrics metrics, ProbeScheduler scheduler, ProbeRecording recording)
    {
        _plan = plan;
        _httpClients = httpClients;
        _circuits = circuits;
        _health = health;
        _spend = spend;
        _results = results;
        _metrics = metrics;
        _scheduler = scheduler;
        _recording = recording;
        _series = plan(config.Current).Select(j => j.Key).ToHashSet();
        _models = config.Current.TargetModels();
        _recording.RecordOnly(_series, _models);
        config.ReconcileWith(Check, Apply);
    }

    /// <summary>The reloaded file, all of it (every shard's targets), against the budget: the check the exporter starts with.</summary>
    private void Check(ExporterOptions loaded, ConfigProblems problems)
    {
        var plan = _plan(loaded);
        var projection = SpendProjection.Of(loaded, plan);
        projection.Validate(loaded.Budget, problems);
        _checked = (plan, projection);
    }

    private void Apply(ExporterOptions previous, ExporterOptions next)
    {
        var (plan, projection) = _checked ?? throw new InvalidOperationException("A reload is applied only once it was checked.");
        _checked = null;
        // A sharded replica keeps some of the file's targets, each whole: its plan is their part of the file's.
        var inForce = new HashSet<TargetOptions>(next.Targets, ReferenceEqualityComparer.Instance);
        if (plan.Any(j => !inForce.Contains(j.Target)))
        {
            plan = plan.Where(j => inForce.Contains(j.Target)).ToList();
            projection = SpendProjection.Of(next, plan);
        }
        var series = plan.Select(j => j.Key).ToHashSet();
        var seriesRemoved = _series.Any(key => !series.Contains(key));
        _series = series;
        var models = next.TargetModels();
        var modelsRemoved = _models.Any(model => !models.Contains(model));
        _models = models;

        // First, before anything a probe's result reaches forgets a removed series or model: its results and skips (and a
        // models list's listing of it) are recorded nowhere from now on, whenever its probe in flight ends,
        _recording.RecordOnly(series, models);
        // and that probe, cancelled, ends before its circuit and health are forgotten, which it could bring back otherwise.
        if (seriesRemoved) _scheduler.StopUnplanned(series, StoppedProbesWait);

        // What probes and the pages read first: certificate checks, circuits and health states of removed targets go,
        // and circuits whose settings changed start afresh.
        _httpClients.RetainOnly(next);
        _circuits.RetainOnly(next);
        _health.RetainOnly(next);
        _spend.Project(next, projection);
        // The store drops the removed series before the metrics restart: the fresh instruments start from what the store
        // holds, and would publish a removed series' last values again otherwise.
        _results.RetainOnly(series, models);
        _metrics.Reconcile(FleetSize.Of(next, plan), seriesRemoved || modelsRemoved, previous.Metrics.GenAi != next.Metrics.GenAi);
        // Last, once everything a probe's result reaches follows the new configuration: stop the series whose settings
        // changed, start the new ones.
        _scheduler.Reconcile(next, plan);
    }
}
