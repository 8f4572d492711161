using RelayExporter.Configuration;
using RelayExporter.Telemetry;

namespace RelayExporter.Probing;

/// <summary>
/// Runs every probe series on its own interval. Start times are spread over the interval by a hash of the series,
/// so a fleet never probes all at once and the spread is the same on every restart; concurrency is bounded; a target
/// that asked for a pause (Retry-After) is not probed before it ends; a failure is confirmed by a quick second probe.
/// </summary>
public sealed class ProbeScheduler(RunningConfig config, ProbeHandler handler, RetryAfterGate retryAfter, ExporterMetrics metrics,
    TimeProvider time, ILogger<ProbeScheduler> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = config.Current;
        var jobs = ProbePlan.From(options);
        using var concurrency = new SemaphoreSlim(options.Probing.MaxConcurrency);
        var start = time.GetUtcNow();
        log.LogInformation("Scheduling {Count} probe series over {Targets} targets", jobs.Count, options.Targets.Count);
        await Task.WhenAll(jobs.Select(job => RunSeriesAsync(job, start + Offset(job), options.Probing.ConfirmationInterval, concurrency, stoppingToken)));
    }

    private async Task RunSeriesAsync(ProbeJob job, DateTimeOffset due, TimeSpan confirmation, SemaphoreSlim concurrency, CancellationToken stoppingToken)
    {
        try
        {
            var lastSucceeded = true;
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = due - time.GetUtcNow();
                if (wait > TimeSpan.Zero) await Task.Delay(wait, time, stoppingToken);
                if (retryAfter.ClosedUntil(job.Target.Name) is not null)
                {
                    metrics.RecordSkipped(job.Key, "retry_after");
                    due = NextDue(due, job.Interval, time.GetUtcNow());
                    continue;
                }

                ProbeResult result;
                await concurrency.WaitAsync(stoppingToken);
                try
                {
                    metrics.RecordScheduleLag(time.GetUtcNow() - due);
                    result = await handler.RunAsync(job, stoppingToken);
                }
                finally
                {
                    concurrency.Release();
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
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

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
}
