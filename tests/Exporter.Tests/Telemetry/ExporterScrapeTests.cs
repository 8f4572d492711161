using System.Text.RegularExpressions;
using RelayExporter.Simulator;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Telemetry;

/// <summary>The whole exporter, probing the simulator, as Prometheus and promtool see it.</summary>
[Collection(ExporterHostCollection.Name)]
public sealed partial class ExporterScrapeTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private SimulatorHost _simulator = null!;
    private ExporterHost _exporter = null!;
    private EnvironmentScope _key = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        _key = new EnvironmentScope([new("EXPORTER_SCRAPE_TEST_KEY", "sk-scrape-test")]);
        _exporter = await ExporterHost.StartAsync($$"""
            defaults:
              checks:
                health: { interval: 1s, timeout: 1s }
                models: { interval: 1s, timeout: 1s }
            targets:
              - { name: relay-a, kind: relay, protocol: openai, base_url: "{{_simulator.TargetUrl("relay-a")}}", credential: { env: EXPORTER_SCRAPE_TEST_KEY }, models: [gpt-4.1] }
              - { name: openai, protocol: openai, base_url: "{{_simulator.TargetUrl("openai")}}", credential: { env: EXPORTER_SCRAPE_TEST_KEY }, models: [gpt-4.1] }
              - { name: anthropic, protocol: anthropic, base_url: "{{_simulator.TargetUrl("anthropic")}}", credential: { env: EXPORTER_SCRAPE_TEST_KEY }, models: [claude-sonnet-4.5] }
              - { name: down, protocol: gemini, base_url: "http://127.0.0.1:{{FreePort.Get()}}", credential: { env: EXPORTER_SCRAPE_TEST_KEY }, models: [gemini-2.5-flash] }
            """);
        using var client = _exporter.CreateClient();
        await Eventually.UntilAsync(async () =>
        {
            var metrics = await ScrapedMetrics.ScrapeAsync(client);
            return metrics.Named("relay_probe_success").Count() == 4 && metrics.Named("relay_exporter_schedule_lag_seconds_count").Any();
        }, Deadline, "a probe of every target");
    }

    public async Task DisposeAsync()
    {
        await _exporter.DisposeAsync();
        await _simulator.DisposeAsync();
        _key.Dispose();
    }

    [Fact]
    public async Task Promtool_check_metrics_finds_nothing_to_report_in_our_output()
    {
        using var client = _exporter.CreateClient();
        var text = await client.GetStringAsync("/metrics");

        var result = await Promtool.CheckMetricsAsync(text);

        Assert.True(result.ExitCode == 0 && result.StandardOutput.Trim().Length == 0 && result.StandardError.Trim().Length == 0,
            $"promtool check metrics reported:\n{result.StandardOutput}{result.StandardError}");
        Assert.Contains("relay_probes_total{", text);
    }

    [Fact]
    public async Task A_real_prometheus_scrapes_the_exporter_with_openmetrics()
    {
        await using var prometheus = await PrometheusServer.StartAsync([new ScrapeTarget("relay-exporter", $"{_exporter.BaseUrl.Host}:{_exporter.BaseUrl.Port}")]);

        await prometheus.WaitUntilAsync("up{job=\"relay-exporter\"}", r => r.Count == 1 && r[0].Value == 1, Deadline);
        var success = await prometheus.WaitUntilAsync("relay_probe_success{job=\"relay-exporter\",check=\"models\"}", r => r.Count == 4, Deadline);
        var failed = await prometheus.QueryAsync("relay_probes_total{job=\"relay-exporter\",target=\"down\",outcome=\"connect_error\"}");

        Assert.Equal(1, success.Single(s => s.Label("target") == "openai").Value);
        Assert.Equal(0, success.Single(s => s.Label("target") == "down").Value);
        Assert.True(Assert.Single(failed).Value >= 1);
        Assert.Contains("application/openmetrics-text; version=1.0.0; charset=utf-8", _exporter.ScrapeContentTypes);
    }

    [Fact]
    public async Task Documented_metrics_are_exactly_the_metrics_emitted()
    {
        using var client = _exporter.CreateClient();
        var text = await client.GetStringAsync("/metrics");
        var emitted = TypeLine().Matches(text).Select(m => m.Groups[1].Value).ToHashSet();
        var documented = DocumentedName().Matches(await File.ReadAllTextAsync(RepositoryPaths.File("docs", "metrics.md")))
            .Select(m => m.Groups[1].Value).ToHashSet();

        Assert.Empty(emitted.Except(documented));   // emitted but not documented
        Assert.Empty(documented.Except(emitted));   // documented but never emitted
    }

    [GeneratedRegex(@"^# TYPE (\S+) ", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    /// <summary>The first cell of each row of the reference tables: | `relay_probes_total` | counter | …</summary>
    [GeneratedRegex(@"^\| `([a-z_:]+)` \|", RegexOptions.Multiline)]
    private static partial Regex DocumentedName();
}
