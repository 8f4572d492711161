using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using RelayExporter.Configuration;
using RelayExporter.Outcomes;
using RelayExporter.Probing;
using RelayExporter.Simulator;
using RelayExporter.Telemetry;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Telemetry;

/// <summary>
/// A restart of the instruments (a reload that removes targets or grows the fleet) shows in the very next scrape: the
/// disposed instruments' series are gone, none is there twice.
/// </summary>
[Collection(ExporterHostCollection.Name)]
public sealed class InstrumentRestartTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private SimulatorHost _simulator = null!;
    private ExporterHost _exporter = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        _exporter = await ExporterHost.StartAsync(Config("relay-a", "relay-b"));
        using var client = _exporter.CreateClient();
        await Eventually.UntilAsync(async () => ScrapedMetrics.Parse(await client.GetStringAsync("/metrics")).Named("relay_probes_total").Select(s => s.Labels["target"]).Distinct().Count() == 2,
            Deadline, "probes of both targets");
    }

    public async Task DisposeAsync()
    {
        await _exporter.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    private string Config(params string[] targets) =>
        "defaults:\n  checks:\n    health: { interval: 1s, timeout: 1s }\ntargets:\n" +
        string.Join("\n", targets.Select(t => $"  - {{ name: {t}, kind: relay, protocol: openai, base_url: \"{_simulator.TargetUrl(t)}\", checks: {{ health: {{}} }} }}")) + "\n";

    [Fact]
    public async Task The_scrape_after_a_restart_has_every_series_once()
    {
        using var client = _exporter.CreateClient();
        var metrics = _exporter.Services.GetRequiredService<ExporterMetrics>();

        metrics.Restart(FleetSize.Of(_exporter.Services.GetRequiredService<RunningConfig>().Current));
        var scraped = ScrapedMetrics.Parse(await client.GetStringAsync("/metrics"));

        AssertEverySeriesOnce(scraped);
        Assert.Equal(["relay-a", "relay-b"], scraped.Named("relay_probe_success").Select(s => s.Labels["target"]).Order()); // recorded again at once
    }

    [Fact]
    public async Task The_scrape_after_a_reload_that_removes_a_target_has_none_of_its_series()
    {
        using var client = _exporter.CreateClient();
        var config = _exporter.Services.GetRequiredService<RunningConfig>();
        // No probe of relay-b ends during the reload: that a late one records nothing is ReloadReconcilerTests' part, not this.
        await _exporter.Services.Scheduler().StopAsync(CancellationToken.None);
        await File.WriteAllTextAsync(_exporter.ConfigPath, Config("relay-a"));
        // The exporter reloads the changed file by itself: once it has, a reload of ours returns after that one's restart
        // (reloads take turns) and, removing nothing more, restarts nothing; nor is a reload left to run after the test.
        await Eventually.UntilAsync(() => Task.FromResult(config.Current.Targets.Count == 1), Deadline, "the file's reload");

        Assert.Empty(config.Reload());
        var text = await client.GetStringAsync("/metrics");

        Assert.DoesNotContain("target=\"relay-b\"", text);
        AssertEverySeriesOnce(ScrapedMetrics.Parse(text));
        Assert.NotNull(ScrapedMetrics.Parse(text).Find("relay_probe_success", ("target", "relay-a")));
    }

    [Fact]
    public async Task A_probe_that_ends_while_a_restart_records_the_latest_results_again_is_not_lost_to_the_old_instruments()
    {
        using var client = _exporter.CreateClient();
        await _exporter.Services.Scheduler().StopAsync(CancellationToken.None);
        var store = _exporter.Services.GetRequiredService<ProbeResultStore>();
        var metrics = _exporter.Services.GetRequiredService<ExporterMetrics>();
        var config = _exporter.Services.GetRequiredService<RunningConfig>();
        var succeeded = store.Latest.Single(r => r.Key.Target == "relay-a");
        Assert.True(succeeded.Succeeded);
        var failed = succeeded with { Outcome = ProbeOutcome.ServerError, Reason = "HTTP 500", StartedAt = succeeded.StartedAt.AddSeconds(1) };
        var restarting = Environment.CurrentManagedThreadId;
        Task? lateProbe = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ExporterMetrics.MeterName && instrument.Name == "relay_probe_success") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>((_, _, tags, _) =>
        {
            if (Environment.CurrentManagedThreadId != restarting || lateProbe is not null || !IsOf("relay-a", tags)) return;
            // The restart is recording relay-a's latest result into its fresh instruments: a probe of relay-a ends now,
            // as the scheduler records one (the store first, then the metrics).
            using var stored = new ManualResetEventSlim();
            lateProbe = Task.Run(() =>
            {
                store.Add(failed);
                stored.Set();
                metrics.RecordProbe(failed, config.Current.Targets.Single(t => t.Name == "relay-a"));
            });
            Assert.True(stored.Wait(Deadline), "the late probe's result was not stored");
            // Recorded into the instruments about to be replaced, it ends at once; held until the fresh ones are
            // published, it cannot end before this wait does.
            lateProbe.Wait(TimeSpan.FromSeconds(1));
        });
        listener.Start();

        metrics.Restart(FleetSize.Of(config.Current));

        Assert.NotNull(lateProbe);
        await lateProbe.WaitAsync(Deadline);
        var scraped = ScrapedMetrics.Parse(await client.GetStringAsync("/metrics"));
        Assert.Equal(0, scraped.Find("relay_probe_success", ("target", "relay-a"))?.Value);
    }

    private static bool IsOf(string target, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
            if (tag.Key == "target") return Equals(tag.Value, target);
        return false;
    }

    private static void AssertEverySeriesOnce(ScrapedMetrics scraped)
    {
        var duplicates = scraped.Samples
            .GroupBy(s => s.Name + "{" + string.Join(",", s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\"")) + "}")
            .Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"{duplicates.Count} series twice, e.g. {string.Join("; ", duplicates.Take(3))}");
    }
}
