using System.Security.Cryptography;
using System.Text.Json;
using RelayExporter.Configuration;
using RelayExporter.Hosting;
using RelayExporter.Telemetry;

namespace RelayExporter.Probing;

/// <summary>
/// Runs every probe series on its own interval. Start times are spread over the interval by a hash of the series,
/// so a fleet never probes all at once and the spread is the same on every restart; concurrency is bounded; a target
/// that asked for a pause (Retry-After) is not probed before it ends; a failure is confirmed by a quick second probe.
/// On a configuration change only the series that changed are stopped or started; the others run on untouched.
/// One loop starts every probe that is due: a series waits in the <see cref="DueQueue{T}"/> between its probes, not on a timer of its own.
/// </summary>
public sealed class ProbeScheduler(RunningConfig config, ProbeHandler handler, RetryAfterGate retryAfter, ExporterMetrics metrics,
    TimeProvider time, ILogger<ProbeScheduler> log) : BackgroundService
{
    /// <summary>
    /// Each wake-up costs far more CPU than starting a probe (a thread-pool worker wakes, then spins before it sleeps):
    /// at 10,000 series every 30 s with no-op checks, one wake-up per probe cost 6.6 % of a core, one per 10 ms 3.6 %.
    /// 10 ms of schedule lag is well inside the 50 ms budget.
    /// </summary>
    internal static readonly TimeSpan WakeUpSpacing = TimeSpan.FromMilliseconds(10);

    private readonly object _gate = new();
    private readonly Dictionary<string, ProbeSeries> _series = new(StringComparer.Ordinal);
    private readonly HashSet<ProbeSeries> _probing = [];
    private readonly DueQueue<ProbeSeries> _waiting = new(time, WakeUpSpacing);
    // Replaced when a reload changes probing.max_concurrency; a probe releases the semaphore it waited on.
    private SemaphoreSlim _concurrency = null!;
    private int _concurrencyLimit;
    private bool _stopped;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        config.Changed += OnChanged;
        try
        {
            Reconcile(config.Current);
            var due = new List<ProbeSeries>();
            while (!stoppingToken.IsCancellationRequested)
            {
                await _waiting.TakeDueAsync(due, stoppingToken);
                foreach (var series in due) Start(series);
                due.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            config.Changed -= OnChanged;
            await StopAllSeriesAsync();
        }
    }

    private void OnChanged(ExporterOptions previous, ExporterOptions next) => Reconcile(next);

    private void Reconcile(ExporterOptions options)
    {
        var wanted = ProbePlan.From(options).ToDictionary(Fingerprint);
        lock (_gate)
        {
            if (_stopped) return;
            if (options.Probing.MaxConcurrency != _concurrencyLimit)
            {
                // Probes already waiting or running under the old limit finish under it.
                Volatile.Write(ref _concurrency, new SemaphoreSlim(options.Probing.MaxConcurrency));
                _concurrencyLimit = options.Probing.MaxConcurrency;
            }
            foreach (var (fingerprint, series) in _series.Where(s => !wanted.ContainsKey(s.Key)).ToList())
            {
                // A waiting series is dropped when it falls due; a probing one ends now and is not queued again.
                series.Stop.Cancel();
                _series.Remove(fingerprint);
            }
            var start = time.GetUtcNow();
            var started = 0;
            foreach (var (fingerprint, job) in wanted.Where(w => !_series.ContainsKey(w.Key)))
            {
                var series = new ProbeSeries(job, options.Probing.ConfirmationInterval) { Due = start + Offset(job) };
                _series[fingerprint] = series;
                _waiting.Add(series, series.Due);
                started++;
            }
            log.LogInformation("Running {Count} probe series over {Targets} targets ({Started} started)", _series.Count, options.Targets.Count, started);
        }
    }

    private void Start(ProbeSeries series)
    {
        if (series.Stop.IsCancellationRequested) return; // removed while it waited
        if (retryAfter.ClosedUntil(series.Job.Target.Name) is not null)
        {
            metrics.RecordSkipped(series.Job.Key, "retry_after");
            series.Due = NextDue(series.Due, series.Job.Interval, time.GetUtcNow());
            _waiting.Add(series, series.Due);
            return;
        }
        lock (_gate) _probing.Add(series);
        series.Probe = ProbeAsync(series);
    }

    /// <summary>One probe of the series, then its next due time: the series is back in the queue only once its probe ended.</summary>
    private async Task ProbeAsync(ProbeSeries series)
    {
        var job = series.Job;
        var stop = series.Stop.Token;
        try
        {
            ProbeResult result;
            var slots = Volatile.Read(ref _concurrency);
            await slots.WaitAsync(stop);
            try
            {
                metrics.RecordScheduleLag(time.GetUtcNow() - series.Due);
                result = await handler.RunAsync(job, stop);
            }
            finally
            {
                slots.Release();
            }
            retryAfter.Observe(result);

            var now = time.GetUtcNow();
            // The first failure after a success is confirmed soon, so an outage shows in seconds, not intervals.
            series.Due = !result.Succeeded && series.LastSucceeded && series.Confirmation < job.Interval
                ? Later(now + series.Confirmation, retryAfter.ClosedUntil(job.Target.Name))
                : NextDue(series.Due, job.Interval, now);
            series.LastSucceeded = result.Succeeded;
            _waiting.Add(series, series.Due);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            lock (_gate) _probing.Remove(series);
        }
    }

    /// <summary>Stops every series and waits for the probes in flight, which are cancelled.</summary>
    private async Task StopAllSeriesAsync()
    {
        Task[] probes;
        lock (_gate)
        {
            _stopped = true;
            foreach (var series in _series.Values) series.Stop.Cancel();
            probes = _probing.Select(s => s.Probe!).ToArray();
        }
        await Task.WhenAll(probes);
        _waiting.Dispose();
    }

    /// <summary>A series is the same series while its target's settings and its check's settings are unchanged.</summary>
    /// <remarks>Kept as a hash of the settings: the settings as JSON are ~1.6 KB per series, 16 MB for 10,000 series.</remarks>
    private static string Fingerprint(ProbeJob job) =>
        $"{job.Key}|{Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(new SeriesSettings(job.Target, job.Settings), ExporterJson.Default.SeriesSettings)))}";

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

    /// <summary>One series between reconciles. It is either waiting in the queue or probing, never both, so one thread at a time uses it.</summary>
    private sealed class ProbeSeries(ProbeJob job, TimeSpan confirmation)
    {
        public ProbeJob Job { get; } = job;
        public TimeSpan Confirmation { get; } = confirmation;
        public CancellationTokenSource Stop { get; } = new();
        public DateTimeOffset Due { get; set; }
        public bool LastSucceeded { get; set; } = true;
        public Task? Probe { get; set; }
    }
}

/// <summary>What makes a probe series the same series (hashed into its fingerprint): its target's and its check's settings.</summary>
internal sealed record SeriesSettings(TargetOptions Target, CheckOptions Settings);
