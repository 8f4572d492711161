using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Simulator;
using RelayExporter.Telemetry;
using RelayExporter.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using RelayExporter.Outcomes;

namespace RelayExporter.Tests.Probing;

public class ProbeSchedulerTests
{
    private static ProbeJob Job(string target, TimeSpan interval) =>
        new(new TargetOptions { Name = target }, CheckKinds.Models.Name, null, new CheckOptions { Interval = interval, Timeout = TimeSpan.FromSeconds(1) });

    [Fact]
    public void Start_offsets_are_stable_within_the_interval_and_spread_across_it()
    {
        var interval = TimeSpan.FromSeconds(60);
        var offsets = Enumerable.Range(0, 600).Select(i => ProbeScheduler.Offset(Job($"target-{i}", interval))).ToList();

        Assert.All(offsets, o => Assert.InRange(o, TimeSpan.Zero, interval));
        Assert.Equal(offsets, Enumerable.Range(0, 600).Select(i => ProbeScheduler.Offset(Job($"target-{i}", interval))));
        // Spread: every tenth of the interval holds some of the 600 series, none more than twice its share.
        var perTenth = offsets.GroupBy(o => (int)(o / interval * 10)).Select(g => g.Count()).ToList();
        Assert.Equal(10, perTenth.Count);
        Assert.All(perTenth, count => Assert.InRange(count, 20, 120));
    }

    [Fact]
    public void A_probe_that_overran_skips_the_slots_it_missed()
    {
        var due = DateTimeOffset.UnixEpoch;
        var interval = TimeSpan.FromSeconds(10);

        Assert.Equal(due + interval, ProbeScheduler.NextDue(due, interval, due + TimeSpan.FromSeconds(3)));
        Assert.Equal(due + TimeSpan.FromSeconds(30), ProbeScheduler.NextDue(due, interval, due + TimeSpan.FromSeconds(25)));
        Assert.Equal(due + TimeSpan.FromSeconds(30), ProbeScheduler.NextDue(due, interval, due + TimeSpan.FromSeconds(20)));
    }
}

/// <summary>The real scheduler and probe handler on a clock the test moves, with a check that only records when it ran.</summary>
public class ProbeDispatchTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    // The dispatcher wakes at most once per this spacing: a probe starts within it of its due time.
    private static readonly TimeSpan Slack = ProbeScheduler.WakeUpSpacing;

    [Fact]
    public async Task Every_series_that_is_due_starts_once_per_interval()
    {
        var targets = Enumerable.Range(0, 300).Select(i => $"target-{i}").ToArray();
        await using var rig = await SchedulerRig.StartAsync(SchedulerRig.Config(targets.Select(t => (t, "30s")).ToArray()));

        rig.Time.Advance(TimeSpan.FromSeconds(30)); // every start offset is within the interval: all are due at once
        await Eventually.UntilAsync(() => rig.Check.Total == 300, Deadline, "a probe of each of the 300 series");
        rig.Time.Advance(TimeSpan.FromSeconds(30));
        await Eventually.UntilAsync(() => rig.Check.Total == 600, Deadline, "a second probe of each");

        Assert.All(targets, t => Assert.Equal(2, rig.Check.Probes(t).Count));
    }

    [Fact]
    public async Task A_series_added_while_the_next_probe_is_far_off_starts_at_its_own_due_time_and_the_other_keeps_its_schedule()
    {
        await using var rig = await SchedulerRig.StartAsync(SchedulerRig.Config(("far", "1h")));
        var farDue = rig.Started + rig.Offset("far");
        Assert.True(farDue - rig.Started > TimeSpan.FromMinutes(30), "the test needs a far first probe");

        rig.Time.Advance(TimeSpan.FromSeconds(1));
        rig.Reload(SchedulerRig.Config(("far", "1h"), ("near", "30s")));
        var nearDue = rig.Time.GetUtcNow() + rig.Offset("near");
        rig.AdvanceTo(nearDue - Slack);
        rig.AdvanceTo(nearDue + Slack);
        await Eventually.UntilAsync(() => rig.Check.Probes("near").Count == 1, Deadline, "the added series' first probe");

        Assert.InRange(rig.Check.Probes("near")[0], nearDue, nearDue + Slack);
        Assert.Empty(rig.Check.Probes("far"));
        rig.AdvanceTo(farDue - Slack);
        rig.AdvanceTo(farDue + Slack);
        await Eventually.UntilAsync(() => rig.Check.Probes("far").Count == 1, Deadline, "the unchanged series' first probe, on its first schedule");
        Assert.InRange(rig.Check.Probes("far")[0], farDue, farDue + Slack);
    }

    [Fact]
    public async Task Removed_series_are_no_longer_probed_a_probe_in_flight_is_cancelled_and_one_added_again_starts_afresh()
    {
        await using var rig = await SchedulerRig.StartAsync(SchedulerRig.Config(("kept", "30s"), ("waiting", "30s"), ("probing", "30s")));
        rig.Check.Hold("probing");
        rig.Time.Advance(TimeSpan.FromSeconds(30));
        await Eventually.UntilAsync(() => rig.Check.Total == 3 && rig.Check.InFlight == 1, Deadline, "a probe of each, one held in flight");

        rig.Reload(SchedulerRig.Config(("kept", "30s")));
        await Eventually.UntilAsync(() => rig.Check.Cancelled.Contains("probing"), Deadline, "the removed series' probe in flight to be cancelled");
        for (var probes = 2; probes <= 4; probes++)
        {
            rig.Time.Advance(TimeSpan.FromSeconds(30));
            await Eventually.UntilAsync(() => rig.Check.Probes("kept").Count == probes, Deadline, $"probe {probes} of the kept series");
        }
        Assert.Single(rig.Check.Probes("waiting"));
        Assert.Single(rig.Check.Probes("probing"));

        rig.Check.Release("probing");
        rig.Reload(SchedulerRig.Config(("kept", "30s"), ("probing", "30s")));
        var due = rig.Time.GetUtcNow() + rig.Offset("probing");
        rig.AdvanceTo(due - Slack);
        rig.AdvanceTo(due + Slack);
        await Eventually.UntilAsync(() => rig.Check.Probes("probing").Count == 2, Deadline, "the added-again series' first probe");
        Assert.InRange(rig.Check.Probes("probing")[1], due, due + Slack);
    }

    [Fact]
    public async Task The_first_failure_after_a_success_is_confirmed_after_the_confirmation_interval()
    {
        await using var rig = await SchedulerRig.StartAsync(SchedulerRig.Config(("flaky", "30s")));
        var due = rig.Started + rig.Offset("flaky");
        rig.AdvanceTo(due + Slack);
        await Eventually.UntilAsync(() => rig.Check.Probes("flaky").Count == 1, Deadline, "a first, successful probe");

        rig.Check.Fail("flaky");
        rig.AdvanceTo(due + TimeSpan.FromSeconds(30) + Slack);
        // Its result, not just its start: the clock moves on only once the probe has ended.
        await Eventually.UntilAsync(() => rig.Latest("flaky") is { Succeeded: false }, Deadline, "a failed probe");
        var failedAt = rig.Check.Probes("flaky")[1];
        rig.AdvanceTo(failedAt + TimeSpan.FromSeconds(1) + Slack);
        await Eventually.UntilAsync(() => rig.Check.Probes("flaky").Count == 3, Deadline, "the confirmation probe");
        // A failure after a failure is not confirmed again: the next probe is an interval after the confirmation.
        rig.AdvanceTo(failedAt + TimeSpan.FromSeconds(2) + Slack);
        rig.AdvanceTo(failedAt + TimeSpan.FromSeconds(31) + Slack);
        await Eventually.UntilAsync(() => rig.Check.Probes("flaky").Count == 4, Deadline, "the next probe on the interval");

        Assert.Equal(failedAt + TimeSpan.FromSeconds(31) + Slack, rig.Check.Probes("flaky")[3]);
    }

    [Theory]
    [InlineData(2, null)]
    [InlineData(2, 4)] // a reload that changes the limit applies it to the probes that start after it
    public async Task No_more_probes_than_the_concurrency_limit_run_at_once_and_the_others_start_when_a_slot_frees(int limit, int? reloadedLimit)
    {
        var series = Enumerable.Range(0, 5).Select(i => ($"target-{i}", "30s")).ToArray();
        await using var rig = await SchedulerRig.StartAsync(SchedulerRig.Config(series, maxConcurrency: limit));
        if (reloadedLimit is { } reloaded) rig.Reload(SchedulerRig.Config(series, maxConcurrency: reloaded));
        var expected = reloadedLimit ?? limit;
        foreach (var (target, _) in series) rig.Check.Hold(target);

        rig.Time.Advance(TimeSpan.FromSeconds(30));
        await Eventually.UntilAsync(() => rig.Check.InFlight == expected, Deadline, $"{expected} probes in flight");
        foreach (var (target, _) in series) rig.Check.Release(target);
        await Eventually.UntilAsync(() => rig.Check.Total == 5, Deadline, "all five probes");

        Assert.Equal(expected, rig.Check.MaxInFlight);
    }

    [Fact]
    public async Task Stopping_cancels_the_probes_in_flight_and_waits_for_them()
    {
        await using var rig = await SchedulerRig.StartAsync(SchedulerRig.Config(("slow", "30s")));
        rig.Check.Hold("slow");
        rig.Time.Advance(TimeSpan.FromSeconds(30));
        await Eventually.UntilAsync(() => rig.Check.InFlight == 1, Deadline, "a probe in flight");

        await rig.Scheduler.StopAsync(CancellationToken.None).WaitAsync(Deadline);

        Assert.Equal(["slow"], rig.Check.Cancelled);
        Assert.Equal(0, rig.Check.InFlight);
    }

    [Fact]
    public async Task A_series_whose_result_cannot_be_recorded_is_logged_and_probed_again_at_its_next_interval()
    {
        await using var rig = await SchedulerRig.StartAsync(SchedulerRig.Config(("buggy", "30s")));
        rig.Check.Poison("buggy");

        rig.Time.Advance(TimeSpan.FromSeconds(30));
        await Eventually.UntilAsync(() => rig.Logs.Entries.Any(e => e.Message.Contains("failed unexpectedly")), Deadline, "the failure to be logged");
        rig.Time.Advance(TimeSpan.FromSeconds(30));
        await Eventually.UntilAsync(() => rig.Check.Probes("buggy").Count == 2, Deadline, "a second probe of the series");
    }

    private sealed class SchedulerRig : IAsyncDisposable
    {
        private readonly ServiceProvider _services;
        private readonly string _path;

        private SchedulerRig(string path)
        {
            _path = path;
            Started = Time.GetUtcNow();
            Check = new RecordingCheck(Time);
            _services = ProbingServices.Build(path, Time, Logs, Check);
            Scheduler = _services.Scheduler();
        }

        public FakeTimeProvider Time { get; } = new(TestClock.Start);
        public TestLoggerProvider Logs { get; } = new();
        public DateTimeOffset Started { get; }
        public RecordingCheck Check { get; }
        public ProbeScheduler Scheduler { get; }
        private RunningConfig Running => _services.GetRequiredService<RunningConfig>();

        public static async Task<SchedulerRig> StartAsync(string yaml)
        {
            var path = Path.Combine(Path.GetTempPath(), $"scheduler-{Guid.NewGuid():N}.yml");
            await File.WriteAllTextAsync(path, yaml);
            var rig = new SchedulerRig(path);
            await rig.Scheduler.StartAsync(CancellationToken.None);
            ((ApplicationLifetime)rig._services.GetRequiredService<IHostApplicationLifetime>()).NotifyStarted();
            // The scheduler plans its series on a thread of its own, at the clock's time then; the test moves it only after.
            await Eventually.UntilAsync(() => rig.Logs.Entries.Any(e => e.Message.StartsWith("Running ")), Deadline, "the scheduler to plan its series");
            return rig;
        }

        public static string Config((string Target, string Interval)[] targets, int maxConcurrency = 64) =>
            $"probing: {{ max_concurrency: {maxConcurrency} }}\ntargets:\n" + string.Join("\n", targets.Select(t =>
                $"  - {{ name: {t.Target}, protocol: openai, base_url: \"http://127.0.0.1:9\", checks: {{ models: {{ interval: {t.Interval}, timeout: 10s }} }} }}"));

        public static string Config(params (string Target, string Interval)[] targets) => Config(targets, 64);

        public void Reload(string yaml)
        {
            File.WriteAllText(_path, yaml);
            Assert.Empty(Running.Reload());
        }

        public ProbeResult? Latest(string target) =>
            _services.GetRequiredService<ProbeResultStore>().Latest.SingleOrDefault(result => result.Key.Target == target);

        public TimeSpan Offset(string target) => ProbeScheduler.Offset(ProbePlan.From(Running.Current).Single(j => j.Key.Target == target));

        public void AdvanceTo(DateTimeOffset when) => Time.Advance(when - Time.GetUtcNow());

        public async ValueTask DisposeAsync()
        {
            Check.ReleaseAll();
            await Scheduler.StopAsync(CancellationToken.None);
            await _services.DisposeAsync();
            File.Delete(_path);
        }
    }

    /// <summary>Stands in for the models check: records when each target was probed; can hold a probe in flight or fail it.</summary>
    private sealed class RecordingCheck(TimeProvider time) : IProbeCheck
    {
        private readonly ConcurrentQueue<(string Target, DateTimeOffset At)> _probes = new();
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _holds = new();
        private readonly ConcurrentDictionary<string, bool> _failing = new();
        private readonly ConcurrentDictionary<string, bool> _poisoned = new();
        private int _inFlight, _maxInFlight;

        public CheckKind Kind => CheckKinds.Models;
        public int Total => _probes.Count;
        public int InFlight => Volatile.Read(ref _inFlight);
        public int MaxInFlight => Volatile.Read(ref _maxInFlight);
        public ConcurrentQueue<string> Cancelled { get; } = new();

        public List<DateTimeOffset> Probes(string target) => _probes.Where(p => p.Target == target).Select(p => p.At).ToList();
        public void Hold(string target) => _holds[target] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        public void Release(string target) { if (_holds.TryRemove(target, out var hold)) hold.SetResult(); }
        public void ReleaseAll() { foreach (var target in _holds.Keys) Release(target); }
        public void Fail(string target) => _failing[target] = true;
        /// <summary>The target's results break whoever reads their models list: a stand-in for a bug in recording a result.</summary>
        public void Poison(string target) => _poisoned[target] = true;

        public async Task<CheckFindings> RunAsync(ProbeContext context, CancellationToken cancellationToken)
        {
            var target = context.Target.Name;
            _probes.Enqueue((target, time.GetUtcNow()));
            var inFlight = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _maxInFlight, inFlight);
            try
            {
                if (_holds.TryGetValue(target, out var hold)) await hold.Task.WaitAsync(cancellationToken);
                if (_poisoned.ContainsKey(target)) return new CheckFindings(ProbeOutcome.Success, "ok") { ModelsListed = new ThrowingModels() };
                return _failing.ContainsKey(target) ? new CheckFindings(ProbeOutcome.ServerError, "failing") : new CheckFindings(ProbeOutcome.Success, "ok");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ends a little later than asked, so that only a caller that waits for the probe sees it finished.
                await Task.Yield();
                Cancelled.Enqueue(target);
                throw;
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        private sealed class ThrowingModels : IReadOnlyList<ModelListing>
        {
            private static InvalidOperationException Bug => new("a bug while recording the result");
            public ModelListing this[int index] => throw Bug;
            public int Count => throw Bug;
            public IEnumerator<ModelListing> GetEnumerator() => throw Bug;
            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => throw Bug;
        }

        private static void InterlockedMax(ref int location, int value)
        {
            for (var current = Volatile.Read(ref location); value > current; current = Volatile.Read(ref location))
                if (Interlocked.CompareExchange(ref location, value, current) == current) return;
        }
    }
}

/// <summary>The scheduler in the running exporter, observed from the simulator's request log.</summary>
[Collection(ExporterHostCollection.Name)]
public class ScheduledProbingTests
{
    [Fact]
    public async Task Retry_after_is_honoured_and_the_skipped_probes_are_counted()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var admin = new HttpClient { BaseAddress = simulator.AdminUrl };
        (await admin.PutAsync("/_sim/faults/openai", new StringContent("""{"kind":"rate_limited","retry_after_s":3}"""))).EnsureSuccessStatusCode();
        await using var exporter = await StartExporterAsync(simulator, "models: { interval: 1s, timeout: 1s }");
        using var client = exporter.CreateClient();

        await Eventually.UntilAsync(async () => ScrapedMetrics.Parse(await client.GetStringAsync("/metrics"))
            .Find("relay_probes_skipped_total", ("target", "openai"), ("reason", "retry_after")) is { Value: >= 2 }, TimeSpan.FromSeconds(20), "two probes skipped for Retry-After");
        await Eventually.UntilAsync(async () => (await RequestTimes(admin, "openai")).Count >= 2, TimeSpan.FromSeconds(20), "a probe after the pause");

        var times = await RequestTimes(admin, "openai");
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, gap => Assert.True(gap >= TimeSpan.FromMilliseconds(2950), $"a probe came {gap.TotalMilliseconds} ms after a 429 asking for 3 s"));
    }

    [Fact]
    public async Task A_failure_is_confirmed_by_a_second_probe_long_before_the_next_interval()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var admin = new HttpClient { BaseAddress = simulator.AdminUrl };
        (await admin.PutAsync("/_sim/faults/openai", new StringContent("""{"kind":"status","status":500}"""))).EnsureSuccessStatusCode();
        await using var exporter = await StartExporterAsync(simulator, "models: { interval: 10s, timeout: 1s }", "probing: { confirmation_interval: 500ms }");

        await Eventually.UntilAsync(async () => (await RequestTimes(admin, "openai")).Count >= 2, TimeSpan.FromSeconds(20), "a confirmation probe");

        var times = await RequestTimes(admin, "openai");
        Assert.InRange(times[1] - times[0], TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Concurrency_is_bounded_across_all_series()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var admin = new HttpClient { BaseAddress = simulator.AdminUrl };
        foreach (var target in new[] { "openai", "relay-a", "relay-b" })
            (await admin.PutAsync($"/_sim/faults/{target}", new StringContent("""{"kind":"slow","delay_ms":300}"""))).EnsureSuccessStatusCode();
        await using var exporter = await StartExporterAsync(simulator, "models: { interval: 1s, timeout: 1s }", "probing: { max_concurrency: 1 }",
            extraTargets: ["relay-a", "relay-b"]);

        await Eventually.UntilAsync(async () => (await AllRequestTimes(admin, "openai", "relay-a", "relay-b")).Count >= 6, TimeSpan.FromSeconds(20), "six probes");

        // One at a time: each request arrives only after the previous 300 ms answer was complete.
        var times = await AllRequestTimes(admin, "openai", "relay-a", "relay-b");
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, gap => Assert.True(gap >= TimeSpan.FromMilliseconds(290), $"two probes overlapped: {gap.TotalMilliseconds} ms apart"));
    }

    private static async Task<ExporterHost> StartExporterAsync(SimulatorHost simulator, string models, string extra = "", string[]? extraTargets = null)
    {
        Environment.SetEnvironmentVariable("SCHEDULER_TEST_KEY", "sk-scheduler");
        var targets = new[] { "openai" }.Concat(extraTargets ?? []).Select(t =>
            $"  - {{ name: {t}, protocol: openai, base_url: \"{simulator.TargetUrl(t)}\", credential: {{ env: SCHEDULER_TEST_KEY }}, models: [gpt-4.1], checks: {{ {models} }} }}");
        return await ExporterHost.StartAsync($"targets:\n{string.Join("\n", targets)}\n{extra}\n");
    }

    private static async Task<List<DateTimeOffset>> AllRequestTimes(HttpClient admin, params string[] targets) =>
        (await Task.WhenAll(targets.Select(t => RequestTimes(admin, t)))).SelectMany(t => t).Order().ToList();

    private static async Task<List<DateTimeOffset>> RequestTimes(HttpClient admin, string target) =>
        JsonDocument.Parse(await admin.GetStringAsync($"/_sim/requests/{target}")).RootElement.GetProperty("requests").EnumerateArray()
            .Select(r => DateTimeOffset.Parse(r.GetProperty("time").GetString()!)).Order().ToList();
}
