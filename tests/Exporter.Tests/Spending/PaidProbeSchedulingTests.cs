using Microsoft.Extensions.Time.Testing;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Health;
using RelayExporter.Probing;
using RelayExporter.Protocols;
using RelayExporter.Spending;
using RelayExporter.Status;
using RelayExporter.Telemetry;
using RelayExporter.Tests.Infrastructure;
using Xunit.Abstractions;
using RelayExporter.Outcomes;

namespace RelayExporter.Tests.Spending;

/// <summary>
/// The real scheduler, probe handler, health board and spend on a clock the test moves; the models and chat checks are
/// stand-ins that answer at once: the models check passes or fails, the chat check bills 100,000 input tokens.
/// </summary>
public class PaidProbeSchedulingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Paid_checks_pause_when_the_days_spend_reaches_the_budget_cheap_checks_go_on_and_the_next_UTC_day_resumes_them()
    {
        // 100,000 input tokens at $4 per million: $0.40 a probe; the budget takes two and a half.
        await using var rig = await Rig.StartAsync(new DateTimeOffset(2026, 11, 22, 23, 30, 0, TimeSpan.Zero), chatInterval: "5m", budget: 1.0);

        for (var step = 1; step <= 3; step++)
        {
            await rig.AdvanceAsync(TimeSpan.FromMinutes(5));
            Assert.Equal(step, rig.Chat.Probes.Count);
        }
        Assert.Equal(1.2, rig.Spend.SpentTodayUsd, 9);
        var modelsBefore = rig.Models.Probes.Count;
        for (var step = 1; step <= 2; step++)
        {
            await rig.AdvanceAsync(TimeSpan.FromMinutes(5)); // up to 23:55
            Assert.Equal(step, rig.Skipped(SkipReasons.BudgetExhausted));
        }
        Assert.Equal(3, rig.Chat.Probes.Count);
        Assert.Equal(modelsBefore + 2, rig.Models.Probes.Count); // the cheap checks go on

        var spend = rig.Report().Spend;
        Assert.Equal("paused", spend.PaidChecks);
        Assert.Equal(1.2, spend.SpentTodayUsd, 9);
        Assert.Equal(1.0, spend.BudgetUsdPerDay);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero), spend.PausedUntil);

        await rig.AdvanceAsync(TimeSpan.FromMinutes(5)); // 00:00: a new UTC day
        Assert.Equal(4, rig.Chat.Probes.Count);
        Assert.Equal(0.4, rig.Spend.SpentTodayUsd, 9);
        Assert.Equal("running", rig.Report().Spend.PaidChecks);
        Assert.Null(rig.Report().Spend.PausedUntil);
        Assert.Equal(2, rig.Skipped(SkipReasons.BudgetExhausted));
    }

    [Fact]
    public async Task During_a_30_minute_outage_the_cheap_checks_hold_back_the_paid_probes_and_a_paid_check_follows_the_recovery_within_the_recheck_interval()
    {
        await using var rig = await Rig.StartAsync(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), chatInterval: "1m", budget: null);
        await rig.RunForAsync(TimeSpan.FromMinutes(3));
        var sentBefore = rig.Chat.Probes.Count;
        Assert.InRange(sentBefore, 3, 4);

        var outageStart = rig.Time.GetUtcNow();
        rig.Models.Failing = rig.Chat.Failing = true;
        await rig.RunForAsync(TimeSpan.FromMinutes(30));
        var outageEnd = rig.Time.GetUtcNow();
        var sent = rig.Chat.Probes.Count(at => at >= outageStart && at < outageEnd);
        var heldBack = rig.Skipped(SkipReasons.TargetDown);
        output.WriteLine($"30-minute outage, chat every 1m: {sent} paid probes sent, {heldBack} held back (target_down); " +
            $"without the gate all {sent + heldBack} would have been sent");
        // The probes the schedule had for those 30 minutes: one a minute (the first failure's confirmation may add one).
        Assert.InRange(sent + heldBack, 29, 32);
        // Only those before the cheap checks declared the target down (2 failed models probes, 10 s apart) are sent.
        Assert.InRange(sent, 0, 2);

        rig.Models.Failing = rig.Chat.Failing = false;
        await rig.RunForAsync(TimeSpan.FromMinutes(2));
        var firstAfter = rig.Chat.Probes.First(at => at >= outageEnd);
        // Two models successes recover the target (10-20 s); the held-back paid check runs within its recheck interval.
        Assert.InRange(firstAfter - outageEnd, TimeSpan.Zero, TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task A_model_failing_while_its_target_is_up_is_checked_again_after_the_recheck_interval_not_its_whole_interval()
    {
        await using var rig = await Rig.StartAsync(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), chatInterval: "5m", budget: null);
        await rig.RunForAsync(TimeSpan.FromMinutes(5));
        Assert.Single(rig.Chat.Probes);

        rig.Chat.Failing = true;
        await rig.RunForAsync(TimeSpan.FromMinutes(10));
        rig.Chat.Failing = false;
        await rig.RunForAsync(TimeSpan.FromMinutes(12));

        var gaps = rig.Chat.Probes.Zip(rig.Chat.Probes.Skip(1), (a, b) => b - a).ToList();
        output.WriteLine("gaps between paid probes: " + string.Join(", ", gaps.Select(g => g.ToString(@"m\:ss"))));
        // The first failure is confirmed after a second (probing.confirmation_interval); while the model keeps failing
        // and the target's cheap checks pass, a paid probe a minute; once it succeeds, every 5 minutes again.
        Assert.Contains(gaps, g => g <= TimeSpan.FromSeconds(11));
        Assert.True(gaps.Count(g => g >= TimeSpan.FromSeconds(55) && g <= TimeSpan.FromSeconds(75)) >= 5, "paid probes a minute apart while the model fails");
        Assert.True(gaps[^1] >= TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(10), "back to the interval after the success");
    }

    private sealed class Rig : IAsyncDisposable
    {
        private readonly ServiceProvider _services;
        private readonly string _path;
        private readonly SkipListener _skips;

        private Rig(string path, string target, FakeTimeProvider time)
        {
            _path = path;
            Time = time;
            Models = new StandInCheck(CheckKinds.Models, time, usage: null);
            Chat = new StandInCheck(CheckKinds.Chat, time, usage: new TokenUsage(100_000, 0));
            _skips = new SkipListener(target);
            _services = ProbingServices.Build(path, Time, Logs, Models, Chat);
            Scheduler = _services.Scheduler();
        }

        public FakeTimeProvider Time { get; }
        public TestLoggerProvider Logs { get; } = new();
        public StandInCheck Models { get; }
        public StandInCheck Chat { get; }
        public ProbeScheduler Scheduler { get; }
        public DailySpend Spend => _services.GetRequiredService<DailySpend>();

        public static async Task<Rig> StartAsync(DateTimeOffset start, string chatInterval, double? budget)
        {
            var target = $"paid-{Guid.NewGuid():N}"[..20];
            var path = Path.Combine(Path.GetTempPath(), $"{target}.yml");
            await File.WriteAllTextAsync(path, $$"""
                targets:
                  - name: {{target}}
                    protocol: openai
                    base_url: http://127.0.0.1:9
                    models: [m]
                    checks:
                      models: { interval: 10s, timeout: 5s }
                      chat: { interval: {{chatInterval}} }
                prices:
                  m: { input: 4, output: 0 }
                """ + (budget is { } usd ? $"\nbudget: {{ usd_per_day: {usd} }}\n" : "\n"));
            var rig = new Rig(path, target, new FakeTimeProvider(start));
            await rig.Scheduler.StartAsync(CancellationToken.None);
            ((ApplicationLifetime)rig._services.GetRequiredService<IHostApplicationLifetime>()).NotifyStarted();
            await Eventually.UntilAsync(() => rig.Logs.Entries.Any(e => e.Message.StartsWith("Running ")), Deadline, "the scheduler to plan its series");
            return rig;
        }

        public int Skipped(string reason) => _skips.Count(reason);

        /// <summary>Moves the clock in steps of a second, each once the probes it started have ended.</summary>
        public async Task RunForAsync(TimeSpan span)
        {
            var end = Time.GetUtcNow() + span;
            while (Time.GetUtcNow() < end) await AdvanceAsync(TimeSpan.FromSeconds(1));
        }

        /// <summary>Moves the clock in one jump and waits until every probe that fell due has ended.</summary>
        public async Task AdvanceAsync(TimeSpan by)
        {
            Time.Advance(by);
            await Eventually.UntilAsync(() => Scheduler.Idle, Deadline, "the probes that fell due to end", TimeSpan.FromMilliseconds(1));
        }

        public TargetsResponse Report() =>
            new TargetStatusReport(_services.GetRequiredService<RunningConfig>(), _services.GetRequiredService<ProbeResultStore>(),
                _services.GetRequiredService<HealthBoard>(), _services.GetRequiredService<CircuitBoard>(), Spend, Time).Build();

        public async ValueTask DisposeAsync()
        {
            await Scheduler.StopAsync(CancellationToken.None);
            await _services.DisposeAsync();
            _skips.Dispose();
            File.Delete(_path);
        }
    }

    /// <summary>Answers at once: success, or a server error while failing; a chat answer reports the usage it was given.</summary>
    private sealed class StandInCheck(CheckKind kind, TimeProvider time, TokenUsage? usage) : IProbeCheck
    {
        private volatile bool _failing;

        public CheckKind Kind => kind;
        public bool Failing { get => _failing; set => _failing = value; }
        public ConcurrentQueue<DateTimeOffset> Probes { get; } = new();

        public Task<CheckFindings> RunAsync(ProbeContext context, CancellationToken cancellationToken)
        {
            Probes.Enqueue(time.GetUtcNow());
            if (Failing) return Task.FromResult(new CheckFindings(ProbeOutcome.ServerError, "HTTP 502"));
            return Task.FromResult(new CheckFindings(ProbeOutcome.Success, "ok")
            {
                Generation = usage is null ? null : new GenerationFindings(usage, null, null),
                ModelsListed = kind == CheckKinds.Models ? [new ModelListing("m", true)] : null,
            });
        }
    }

    /// <summary>Counts the skipped probes of one target by reason (the meter is shared by every test running at once).</summary>
    private sealed class SkipListener(string target) : ExporterMeterListener(ExporterMetrics.MeterName)
    {
        private readonly ConcurrentDictionary<string, int> _counts = new();

        public int Count(string reason) => _counts.GetValueOrDefault(reason);

        protected override void OnMeasurement(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (instrument.Name != "relay_probes_skipped") return;
            string? ofTarget = null, reason = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "target") ofTarget = tag.Value as string;
                if (tag.Key == "reason") reason = tag.Value as string;
            }
            if (ofTarget == target && reason is not null) _counts.AddOrUpdate(reason, 1, (_, n) => n + 1);
        }
    }
}
