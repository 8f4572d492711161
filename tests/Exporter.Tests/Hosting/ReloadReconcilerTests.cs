using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Time.Testing;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Spending;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Hosting;

/// <summary>
/// A reload reaches every component through one reconciler, which plans the new configuration once. That a removed
/// target's series leave /metrics (the result store drops them before the metrics restart) is
/// AdminAndReloadTests.A_valid_reload_keeps_unchanged_targets_state_and_drops_removed_targets_series.
/// </summary>
[Collection(ExporterHostCollection.Name)]
public sealed class ReloadReconcilerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static string Config(params string[] targets) =>
        "targets:\n" + string.Join("\n", targets.Select(t =>
            $"  - {{ name: {t}, protocol: openai, base_url: \"http://127.0.0.1:9\", checks: {{ models: {{ interval: 1h, timeout: 10s }} }} }}"));

    [Fact]
    public async Task A_reload_plans_the_new_configuration_once_for_every_component_that_follows_it()
    {
        await using var exporter = await ExporterHost.StartAsync(Config("kept", "removed"));
        var config = exporter.Services.GetRequiredService<RunningConfig>();
        // A target removed and one added: the metrics restart, and the scheduler stops a series and starts one.
        await File.WriteAllTextAsync(exporter.ConfigPath, Config("kept", "added"));

        var loading = ProbePlan.CountInThisFlow();
        ConfigLoader.Load(exporter.ConfigPath, SpendProjection.CheckBudget); // what reading and validating the file plans, as the exporter does
        var reloading = ProbePlan.CountInThisFlow();
        Assert.Empty(config.Reload());

        Assert.Equal(loading.Value + 1, reloading.Value);
        Assert.Equal(["kept", "added"], config.Current.Targets.Select(t => t.Name));
    }

    [Fact]
    public void The_running_configuration_takes_one_reconciler_and_refuses_a_second()
    {
        var config = new RunningConfig("unused.yml", new ExporterOptions(), TimeProvider.System);
        config.ReconcileWith((_, _) => { });

        var refused = Assert.Throws<InvalidOperationException>(() => config.ReconcileWith((_, _) => { }));
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
}
