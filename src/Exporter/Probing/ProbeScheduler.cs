using System.Text.Json;
using RelayExporter.Configuration;
using RelayExporter.Telemetry;

namespace RelayExporter.Probing;

/// <summary>
/// Runs every probe series on its own interval. Start times are spread over the interval by a hash of the series,
/// so a fleet never probes all at once and the spread is the same on every restart; concurrency is bounded; a target
/// that asked for a pause (Retry-After) is not probed before it ends; a failure is confirmed by a quick second probe.
/// On a configuration change only the series that changed are stopped or started; the others run on untouched.
/// </summary>
public sealed class ProbeScheduler(RunningConfig config, ProbeHandler handler, RetryAfterGate retryAfter, ExporterMetrics metrics,
    TimeProvider time, ILogger<ProbeScheduler> log) : BackgroundService
{
    private readonly object _gate = new();
    private readonly Dictionary<string, RunningSeries> _running = new(StringComparer.Ordinal);
    private SemaphoreSlim _concurrency = null!;
    private CancellationToken _stopping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        _concurrency = new SemaphoreSlim(config.Current.Probing.MaxConcurrency);
        config.Changed += OnChanged;
        try
        {
            Reconcile(config.Current);
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            config.Changed -= OnChanged;
            Task[] tasks;
            lock (_gate) tasks = _running.Values.Select(s => s.Task).ToArray();
            await Task.WhenAll(tasks);
        }
    }

    private void OnChanged(ExporterOptions previous, ExporterOptions next) => Reconcile(next);

    private void Reconcile(ExporterOptions options)
    {
        var wanted = ProbePlan.From(options).ToDictionary(Fingerprint);
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested) return;
            foreach (var (fingerprint, series) in _running.Where(r => !wanted.ContainsKey(r.Key)).ToList())
            {
                series.Stop.Cancel();
                series.Task.ContinueWith(_ => series.Stop.Dispose(), TaskScheduler.Default);
                _running.Remove(fingerprint);
            }
            var start = time.GetUtcNow();
            var started = 0;
            foreach (var (fingerprint, job) in wanted.Where(w => !_running.ContainsKey(w.Key)))
            {
                var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
                _running[fingerprint] = new RunningSeries(stop, RunSeriesAsync(job, start + Offset(job), options.Probing.ConfirmationInterval, stop.Token));
                started++;
            }
            log.LogInformation("Running {Count} probe series over {Targets} targets ({Started} started)", _running.Count, options.Targets.Count, started);
        }
    }

    private async Task RunSeriesAsync(ProbeJob job, DateTimeOffset due, TimeSpan confirmation, CancellationToken stop)
    {
        await Task.Yield();
        try
        {
            var lastSucceeded = true;
            while (!stop.IsCancellationRequested)
            {
                var wait = due - time.GetUtcNow();
                if (wait > TimeSpan.Zero) await Task.Delay(wait, time, stop);
                if (retryAfter.ClosedUntil(job.Target.Name) is not null)
                {
                    metrics.RecordSkipped(job.Key, "retry_after");
                    due = NextDue(due, job.Interval, time.GetUtcNow());
                    continue;
                }

                ProbeResult result;
                await _concurrency.WaitAsync(stop);
                try
                {
                    metrics.RecordScheduleLag(time.GetUtcNow() - due);
                    result = await handler.RunAsync(job, stop);
                }
                finally
                {
                    _concurrency.Release();
                }
                retryAfter.Observe(result);

                var now = time.GetUtcNow();
                // The first failure after a success is confirmed soon, so an outage shows in seconds, not intervals.
                due = !result.Succeeded && lastSucceeded && confirmation < job.Interval
                    ? Later(now + confirmation, retryAfter.ClosedUntil(job.Target.Name))
                    : NextDue(due, job.Interval, now);
                lastSucceeded = result.Succeeded;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>A series is the same series while its target's settings and its check's settings are unchanged.</summary>
    private static string Fingerprint(ProbeJob job) =>
        $"{job.Key}|{JsonSerializer.Serialize(job.Target)}|{JsonSerializer.Serialize(job.Settings)}";

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset? b) => b > a ? b.Value : a;

    /// <summary>The next planned time after <paramref name="now"/>: a probe that overran skips the slots it missed.</summary>
    internal static DateTimeOffset NextDue(DateTimeOffset due, TimeSpan interval, DateTimeOffset now)
    {
        var next = due + interval;
        if (next > now) return next;
        var missed = (now - next).Ticks / interval.Ticks + 1;
        return next + interval * missed;
    }

    /// <summary>A stable offset in [0, interval) derived from the series' identity.</summary>
    internal static TimeSpan Offset(ProbeJob job)
    {
        // FNV-1a: string.GetHashCode is randomised per process, and the spread must survive restarts.
        var hash = 2166136261u;
        foreach (var c in job.Key.ToString()) hash = (hash ^ c) * 16777619u;
        return TimeSpan.FromTicks((long)(hash / (double)uint.MaxValue * (job.Interval.Ticks - 1)));
    }

    private sealed record RunningSeries(CancellationTokenSource Stop, Task Task);
}
