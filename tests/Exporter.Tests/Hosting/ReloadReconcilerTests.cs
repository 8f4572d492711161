using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Time.Testing;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Sharding;
using RelayExporter.Spending;
using RelayExporter.Telemetry;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Hosting;

/// <summary>
/// A reload reaches every component through one reconciler, which plans the new file once: for its budget check and for
/// every component that follows it. That a removed target's series leave /metrics (the result store drops them before the
/// metrics restart) is AdminAndReloadTests.A_valid_reload_keeps_unchanged_targets_state_and_drops_removed_targets_series.
/// </summary>
[Collection(ExporterHostCollection.Name)]
public sealed class ReloadReconcilerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static string Config(params string[] targets) =>
        "targets:\n" + string.Join("\n", targets.Select(t =>
            $"  - {{ name: {t}, protocol: openai, base_url: \"http://127.0.0.1:9\", checks: {{ models: {{ interval: 1h, timeout: 10s }} }} }}"));

    /// <summary>Targets with a paid check each (a chat probe an hour, priced), against a budget.</summary>
    private static string PaidConfig(double budgetUsdPerDay, params string[] targets) =>
        "targets:\n" + string.Join("\n", targets.Select(t =>
            $"  - {{ name: {t}, protocol: openai, base_url: \"http://127.0.0.1:9\", models: [gpt-4.1], checks: {{ chat: {{ interval: 1h, timeout: 10s }} }} }}"))
        + $"\nprices:\n  gpt-4.1: {{ input: 2, output: 8 }}\nbudget: {{ usd_per_day: {budgetUsdPerDay.ToString(System.Globalization.CultureInfo.InvariantCulture)} }}\n";

    [Fact]
    public async Task A_reload_is_planned_once_for_its_budget_check_and_every_component_that_follows_it()
    {
        using var file = new ConfigFile(PaidConfig(1, "kept", "removed"));
        var plans = 0;
        await using var services = ProbingServices.Build(file.Path, new FakeTimeProvider(TestClock.Start), new TestLoggerProvider(),
            s => s.AddSingleton(Counting(() => plans++)));
        var config = services.GetRequiredService<RunningConfig>();
        var planned = plans;
        // A target removed and one added: the metrics restart, and the scheduler stops a series and starts one.
        file.Write(PaidConfig(1, "kept", "added"));

        Assert.Empty(config.Reload());

        Assert.Equal(planned + 1, plans);
        Assert.Equal(["kept", "added"], config.Current.Targets.Select(t => t.Name));
        Assert.Equal(["kept/chat/gpt-4.1", "added/chat/gpt-4.1"], services.GetRequiredService<DailySpend>().Projection.Series.Select(s => s.Key.ToString()));
    }

    [Fact]
    public async Task A_sharded_reload_is_checked_against_the_whole_file_and_runs_its_shards_part_of_the_same_plan()
    {
        var shard = new Shard(0, 2);
        var names = Enumerable.Range(0, 8).Select(i => $"target-{i}").ToArray();
        var ours = names.Where(shard.Owns).ToArray();
        Assert.InRange(ours.Length, 1, names.Length - 1);
        using var file = new ConfigFile(PaidConfig(1, names));
        var perSeries = SpendProjection.Of(ConfigLoader.Load(file.Path)).Series[0].UsdPerDay;
        var plans = 0;
        var time = new FakeTimeProvider(TestClock.Start);
        await using var services = ProbingServices.Build(file.Path, time, new TestLoggerProvider(), s => s
            .AddSingleton(new RunningConfig(file.Path, ConfigLoader.Load(file.Path), time, shard.Select))
            .AddSingleton(Counting(() => plans++)));
        var config = services.GetRequiredService<RunningConfig>();

        // A budget this shard's series keep, and the whole file's do not: the reload is refused, as at start-up.
        file.Write(PaidConfig(perSeries * (ours.Length + 0.5), names));
        Assert.Contains(config.Reload(), p => p.ToString().Contains("over the budget", StringComparison.Ordinal));

        file.Write(PaidConfig(perSeries * (names.Length + 0.5), names));
        var planned = plans;
        Assert.Empty(config.Reload());

        Assert.Equal(planned + 1, plans);
        Assert.Equal(ours, config.Current.Targets.Select(t => t.Name));
        Assert.Equal(ours.Select(t => $"{t}/chat/gpt-4.1"), services.GetRequiredService<DailySpend>().Projection.Series.Select(s => s.Key.ToString()));
    }

    private static ProbePlanner Counting(Action counted) => options =>
    {
        counted();
        return ProbePlan.From(options);
    };

    /// <summary>A configuration file of the test's own, deleted at the end.</summary>
    private sealed class ConfigFile : IDisposable
    {
        public ConfigFile(string yaml) => Write(yaml);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"reconciler-{Guid.NewGuid():N}.yml");

        public void Write(string yaml) => File.WriteAllText(Path, yaml);

        public void Dispose() => File.Delete(Path);
    }

    [Fact]
    public async Task A_probe_of_a_removed_target_that_ends_during_the_reload_leaves_no_series_behind()
    {
        // The removed target's upstream holds its answer until the test lets it go.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await LoopbackServer.StartAsync(async context =>
        {
            held.TrySetResult();
            await release.Task.WaitAsync(context.RequestAborted).ContinueWith(_ => { });
            if (context.RequestAborted.IsCancellationRequested) return;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"object":"list","data":[{"id":"m","object":"model"}]}""");
        });
        using var closed = new ClosedPort();
        // A timeout longer than the test needs; the interval cannot be shorter. A name whose first probe is due within a second.
        var removed = Enumerable.Range(0, 1000).Select(i => $"removed-{i}").First(n => FirstProbeWithin(n, TimeSpan.FromSeconds(1)));
        string Target(string name, Uri url) =>
            $"  - {{ name: {name}, protocol: openai, base_url: \"{url.ToString().TrimEnd('/')}\", checks: {{ models: {{ interval: 1m, timeout: 1m }} }} }}";
        var kept = Target("kept", new Uri($"http://127.0.0.1:{closed.Port}"));
        await using var exporter = await ExporterHost.StartAsync($"targets:\n{kept}\n{Target(removed, upstream.Url)}\n");
        var config = exporter.Services.GetRequiredService<RunningConfig>();
        var scheduler = exporter.Services.Scheduler();
        using var client = exporter.CreateClient();
        await held.Task.WaitAsync(Deadline);

        // The probe's answer comes while the reload restarts the metrics (their fresh instruments being created), and
        // the reload goes on once the probe ended: the latest moment a probe of the removed target could record.
        var reloading = -1;
        using var restart = new MeterListener();
        restart.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name != ExporterMetrics.MeterName || Environment.CurrentManagedThreadId != Volatile.Read(ref reloading) || !release.TrySetResult()) return;
            Eventually.UntilAsync(() => scheduler.Idle, Deadline, "the removed target's probe to end").GetAwaiter().GetResult();
        };
        restart.Start();
        await File.WriteAllTextAsync(exporter.ConfigPath, $"targets:\n{kept}\n");
        var problems = await Task.Run(() =>
        {
            Volatile.Write(ref reloading, Environment.CurrentManagedThreadId);
            return config.Reload();
        });

        Assert.Empty(problems);
        Assert.True(release.Task.IsCompleted, "the reload restarted the metrics");
        await Eventually.UntilAsync(() => scheduler.Idle, Deadline, "the removed target's probe to end");
        var metrics = ScrapedMetrics.Parse(await client.GetStringAsync("/metrics"));
        Assert.Empty(metrics.Samples.Where(s => s.Labels.GetValueOrDefault("target") == removed).Select(s => s.Name));
        Assert.DoesNotContain(removed, await client.GetStringAsync("/api/v1/targets"));
        // On demand, the removed target is refused as any unknown one is.
        using var onDemand = await client.GetAsync($"/probe?target={removed}&check=models");
        Assert.Equal(HttpStatusCode.BadRequest, onDemand.StatusCode);
        Assert.Equal($"unknown target '{removed}'; configured targets: kept\n", await onDemand.Content.ReadAsStringAsync());
    }

    [Fact]
    public void The_running_configuration_takes_one_reconciler_and_refuses_a_second()
    {
        var config = new RunningConfig("unused.yml", new ExporterOptions(), TimeProvider.System);
        config.ReconcileWith((_, _) => { }, (_, _) => { });

        var refused = Assert.Throws<InvalidOperationException>(() => config.ReconcileWith((_, _) => { }, (_, _) => { }));
        Assert.Contains("has its reconciler already", refused.Message);
    }

    [Fact]
    public async Task A_reload_before_the_scheduler_started_is_what_it_starts_with()
    {
        var path = Path.Combine(Path.GetTempPath(), $"reconciler-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(path, Config("first"));
        var logs = new TestLoggerProvider();
        await using var services = ProbingServices.Build(path, new FakeTimeProvider(TestClock.Start), logs);
        var scheduler = services.Scheduler();
        try
        {
            await File.WriteAllTextAsync(path, Config("first", "second"));
            Assert.Empty(services.GetRequiredService<RunningConfig>().Reload());

            await scheduler.StartAsync(CancellationToken.None);
            ((ApplicationLifetime)services.GetRequiredService<IHostApplicationLifetime>()).NotifyStarted();

            await Eventually.UntilAsync(() => logs.Entries.Any(e => e.Message.StartsWith("Running ", StringComparison.Ordinal)), Deadline, "the scheduler to plan its series");
            Assert.Equal("Running 2 probe series over 2 targets (2 started)", Assert.Single(logs.Entries, e => e.Message.StartsWith("Running ", StringComparison.Ordinal)).Message);
        }
        finally
        {
            await scheduler.StopAsync(CancellationToken.None);
            File.Delete(path);
        }
    }

    private static bool FirstProbeWithin(string target, TimeSpan within) =>
        ProbeScheduler.Offset(new ProbeJob(new TargetOptions { Name = target }, CheckKinds.Models.Name, null,
            new CheckOptions { Interval = TimeSpan.FromMinutes(1) })) < within;
}
