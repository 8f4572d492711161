using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;
using RelayExporter.Configuration;
using RelayExporter.Outcomes;

namespace RelayExporter.Probing;

/// <summary>
/// Runs every probe series on its own interval. Start times are spread over the interval by a hash of the series,
/// so a fleet never probes all at once and the spread is the same on every restart; concurrency is bounded; a target
/// that asked for a pause (Retry-After) is not probed before it ends; a failure is confirmed by a quick second probe.
/// Paid checks go where they tell something: none against a target whose cheap checks say it is down, none once the
/// day's spend reached the budget, and a model that fails while its target is up is checked again sooner.
/// On a configuration change only the series that changed are stopped or started; the others run on untouched.
/// One loop starts every probe that is due: a series waits in the <see cref="DueQueue{T}"/> between its probes, not on a timer of its own.
/// </summary>
/// <remarks>
/// Probing starts once the host has started, the listener bound: an exporter that cannot serve its port exits without
/// having sent a probe.
/// </remarks>
public sealed class ProbeScheduler(RunningConfig config, ProbeHandler handler, ProbeGates gates, RetryAfterGate retryAfter, ITargetHealthView targets,
    ProbeRecording recording, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<ProbeScheduler> log) : BackgroundService
{
    /// <summary>
    /// Each wake-up costs far more CPU than starting a probe (a thread-pool worker wakes, then spins before it sleeps):
    /// at 10,000 series every 30 s with no-op checks, one wake-up per probe cost 6.6 % of a core, one per 10 ms 3.6 %.
    /// 10 ms of schedule lag is well inside the 50 ms budget.
    /// </summary>
    internal static readonly TimeSpan WakeUpSpacing = TimeSpan.FromMilliseconds(10);

    private readonly object _gate = new();
    private readonly Dictionary<SeriesFingerprint, ProbeSeries> _series = new();
    private readonly HashSet<ProbeSeries> _probing = [];
    // Completed when the scheduler has stopped and the last probe in flight has ended.
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly DueQueue<ProbeSeries> _waiting = new(time, WakeUpSpacing);
    // Replaced when a reload changes probing.max_concurrency; a probe releases the semaphore it waited on.
    private SemaphoreSlim _concurrency = null!;
    private int _concurrencyLimit;
    private bool _running;
    private bool _stopped;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await HostStartedAsync(stoppingToken)) return;
        try
        {
            lock (_gate)
            {
                // Read under the lock: a reload before this point is in force already, one after it waits and follows.
                var options = config.Current;
                Reconcile(options, ProbePlan.From(options).ToDictionary(Fingerprint));
                _running = true;
            }
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
            await StopAllSeriesAsync();
        }
    }

    /// <returns>False when the host stopped (or failed to start) first.</returns>
    private async Task<bool> HostStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return started.Task.IsCompleted;
    }

    /// <summary>
    /// First of a reload: stops the series whose keys the new plan no longer has, and waits (at most <paramref name="wait"/>)
    /// for their probes in flight to end. Those are cancelled, so they end at once unless something holds them: none is
    /// left to bring back a circuit or a health state once those forgot its target.
    /// </summary>
    public void StopUnplanned(IReadOnlySet<ProbeKey> planned, TimeSpan wait)
    {
        // On the wall clock, not the scheduler's: it bounds how long the reload's thread is held.
        var deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        lock (_gate)
        {
            if (!_running || _stopped) return;
            var stopped = StopWhere(fingerprint => !planned.Contains(fingerprint.Key));
            while (stopped.Any(_probing.Contains))
            {
                var left = deadline - Environment.TickCount64;
                // A probe that ends pulses the gate.
                if (left <= 0 || !Monitor.Wait(_gate, TimeSpan.FromMilliseconds(left)))
                {
                    log.LogWarning("A probe of a removed series had not ended {WaitSeconds}s after it was cancelled; the reload goes on without it", wait.TotalSeconds);
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Last of a reload: stops the series the new plan no longer has or whose settings changed, and starts the new ones.
    /// Before the scheduler started there is nothing to change: it starts with the configuration in force then.
    /// </summary>
    public void Reconcile(ExporterOptions options, IReadOnlyList<ProbeJob> plan)
    {
        var wanted = plan.ToDictionary(Fingerprint);
        lock (_gate)
        {
            if (_running) Reconcile(options, wanted);
        }
    }

    private void Reconcile(ExporterOptions options, Dictionary<SeriesFingerprint, ProbeJob> wanted)
    {
        lock (_gate)
        {
            if (_stopped) return;
            if (options.Probing.MaxConcurrency != _concurrencyLimit)
            {
                // Probes already waiting or running under the old limit finish under it.
                Volatile.Write(ref _concurrency, new SemaphoreSlim(options.Probing.MaxConcurrency));
                _concurrencyLimit = options.Probing.MaxConcurrency;
            }
            StopWhere(fingerprint => !wanted.ContainsKey(fingerprint));
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

    /// <summary>Stops the series that match and forgets them; called under the gate.</summary>
    /// <returns>The series stopped.</returns>
    private List<ProbeSeries> StopWhere(Func<SeriesFingerprint, bool> unwanted)
    {
        var stopped = _series.Where(s => unwanted(s.Key)).ToList();
        foreach (var (fingerprint, series) in stopped)
        {
            // A waiting series is dropped when it falls due; a probing one ends now and is not queued again.
            series.Stop();
            _series.Remove(fingerprint);
        }
        return stopped.ConvertAll(s => s.Value);
    }

    private void Start(ProbeSeries series)
    {
        if (series.Stopped) return; // removed while it waited
        if (gates.SkipReason(series.Job) is { } reason)
        {
            recording.RecordSkipped(series.Job.Key, reason);
            var now = time.GetUtcNow();
            series.Due = NextDue(series.Due, series.Job.Interval, now);
            if (reason == SkipReasons.TargetDown)
            {
                // Whatever the model did last, it is unconfirmed now: checked again soon once the target is back.
                series.LastSucceeded = false;
                series.Due = Earlier(series.Due, now + config.Current.Probing.PaidRecheckInterval);
            }
            _waiting.Add(series, series.Due);
            return;
        }
        lock (_gate) _probing.Add(series);
        _ = ProbeAsync(series);
    }

    /// <summary>One probe of the series, then its next due time: the series is back in the queue only once its probe ended.</summary>
    private async Task ProbeAsync(ProbeSeries series)
    {
        var job = series.Job;
        using var probe = series.BeginProbe();
        var stop = probe.Token;
        try
        {
            ProbeResult result;
            var slots = Volatile.Read(ref _concurrency);
            await slots.WaitAsync(stop);
            try
            {
                recording.RecordScheduleLag(time.GetUtcNow() - series.Due);
                result = await handler.RunAsync(job, stop);
            }
            finally
            {
                slots.Release();
            }
            // From when the probe ended by its own clock, not when this continuation ran: the same in production, and a
            // schedule that follows from the result alone.
            var ended = result.StartedAt + result.Duration;
            // The first failure after a success is confirmed soon, so an outage shows in seconds, not intervals.
            if (!result.Succeeded && series.LastSucceeded && series.Confirmation < job.Interval)
            {
                var confirmation = ended + series.Confirmation;
                var pausedUntil = retryAfter.ClosedUntil(job.Target.Name);
                // A confirmation the target's pause holds back is a skipped probe like any other the pause holds back.
                if (pausedUntil > confirmation) recording.RecordSkipped(job.Key, SkipReasons.RetryAfter);
                series.Due = Later(confirmation, pausedUntil);
            }
            else series.Due = NextDue(series.Due, job.Interval, ended);
            // A model whose failure is confirmed while its target is up: its own fault, checked again sooner to see it end.
            if (!result.Succeeded && !series.LastSucceeded && CheckKinds.Of(job.Check).Paid && targets.IsUp(job.Target.Name))
                series.Due = Earlier(series.Due, ended + config.Current.Probing.PaidRecheckInterval);
            series.LastSucceeded = result.Succeeded;
            _waiting.Add(series, series.Due);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            log.LogDebug("Probe {Probe} cancelled: its series stopped", job.Key);
        }
        catch (Exception e)
        {
            // A bug of ours while recording a result must not end the series silently (nothing awaits this task).
            log.LogError(e, "Probe {Probe} failed unexpectedly; the series goes on at its next interval", job.Key);
            series.Due = NextDue(series.Due, job.Interval, time.GetUtcNow());
            _waiting.Add(series, series.Due);
        }
        finally
        {
            series.EndProbe();
            lock (_gate)
            {
                _probing.Remove(series);
                Monitor.PulseAll(_gate); // a reload may wait for this probe to end (StopUnplanned)
                if (_stopped && _probing.Count == 0) _drained.TrySetResult();
            }
        }
    }

    /// <summary>No probe in flight and none due at the clock's time: for tests that move the clock once the scheduler caught up.</summary>
    internal bool Idle
    {
        get
        {
            var now = time.GetUtcNow();
            lock (_gate) return _probing.Count == 0 && _series.Values.All(s => s.Due > now);
        }
    }

    /// <summary>Stops every series and waits for the probes in flight, which are cancelled.</summary>
    private async Task StopAllSeriesAsync()
    {
        lock (_gate)
        {
            _stopped = true;
            foreach (var series in _series.Values) series.Stop();
            if (_probing.Count == 0) _drained.TrySetResult();
        }
        await _drained.Task;
        _waiting.Dispose();
    }

    /// <summary>A series is the same series while its target's settings and its check's settings are unchanged.</summary>
    /// <remarks>Kept as a hash of the settings: the settings as JSON are ~1.6 KB per series, 16 MB for 10,000 series.</remarks>
    private static SeriesFingerprint Fingerprint(ProbeJob job)
    {
        var hash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(new SeriesSettings(job.Target, job.Settings), ProbingJson.Default.SeriesSettings));
        return new SeriesFingerprint(job.Key, BitConverter.ToUInt128(hash));
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset? b) => b > a ? b.Value : a;

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => b < a ? b : a;

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

    /// <summary>
    /// One series between reconciles. It is either waiting in the queue or probing, never both, so one thread at a time
    /// uses it, except <see cref="Stop"/>. A probe gets its own cancellation source: one per series for its lifetime would
    /// keep a cancellation registration per series (~190 bytes, 1.9 MB for 10,000).
    /// </summary>
    [SuppressMessage("Design", "CA1001", Justification = "The probe's cancellation source belongs to the probe: BeginProbe's caller disposes it.")]
    private sealed class ProbeSeries(ProbeJob job, TimeSpan confirmation)
    {
        private readonly Lock _gate = new();
        private CancellationTokenSource? _probe;

        public ProbeJob Job { get; } = job;
        public TimeSpan Confirmation { get; } = confirmation;
        public DateTimeOffset Due { get; set; }
        public bool LastSucceeded { get; set; } = true;
        public bool Stopped { get; private set; }

        /// <summary>Stops the series: it is not probed again, and the probe in flight, if any, is cancelled.</summary>
        public void Stop()
        {
            using var _ = _gate.EnterScope();
            Stopped = true;
            _probe?.Cancel();
        }

        /// <summary>The cancellation source of the probe that starts now, cancelled already if the series was stopped.</summary>
        public CancellationTokenSource BeginProbe()
        {
            using var _ = _gate.EnterScope();
            _probe = new CancellationTokenSource();
            if (Stopped) _probe.Cancel();
            return _probe;
        }

        public void EndProbe()
        {
            using var _ = _gate.EnterScope();
            _probe = null;
        }
    }

    /// <summary>The series' identity and the first 128 bits of the SHA-256 of its settings.</summary>
    private readonly record struct SeriesFingerprint(ProbeKey Key, UInt128 Settings);
}

/// <summary>What makes a probe series the same series (hashed into its fingerprint): its target's and its check's settings.</summary>
internal sealed record SeriesSettings(TargetOptions Target, CheckOptions Settings);
