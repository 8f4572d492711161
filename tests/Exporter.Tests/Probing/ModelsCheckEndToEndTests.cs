using System.Net.Http.Json;
using RelayExporter.Simulator;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Probing;

/// <summary>The models check runs on its schedule against the simulator and its results appear at /metrics.</summary>
[Collection(ExporterHostCollection.Name)]
public class ModelsCheckEndToEndTests
{
    [Fact]
    public async Task Models_check_results_appear_at_metrics_for_every_protocol()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var key = new EnvironmentScope([new("SIMULATOR_TEST_KEY", "sk-test-models")]);
        await using var exporter = await ExporterHost.StartAsync($$"""
            defaults:
              checks:
                models: { interval: 1s, timeout: 1s }
            targets:
              - { name: relay-a, kind: relay, protocol: openai, base_url: "{{simulator.TargetUrl("relay-a")}}", credential: { env: SIMULATOR_TEST_KEY }, models: [gpt-4.1, deepseek-v3.2], checks: { models: {} } }
              - { name: anthropic, protocol: anthropic, base_url: "{{simulator.TargetUrl("anthropic")}}", credential: { env: SIMULATOR_TEST_KEY }, models: [claude-sonnet-4.5] }
              - { name: gemini, protocol: gemini, base_url: "{{simulator.TargetUrl("gemini")}}", credential: { env: SIMULATOR_TEST_KEY }, models: [gemini-2.5-flash] }
            """);
        using var client = exporter.CreateClient();

        var metrics = await Eventually.GetAsync(async () =>
        {
            var scraped = await ScrapedMetrics.ScrapeAsync(client);
            return new[] { "relay-a", "anthropic", "gemini" }.All(t => scraped.Find("relay_probe_success", ("target", t), ("check", "models")) is not null)
                ? scraped : null;
        }, TimeSpan.FromSeconds(15), "a models probe of every target");

        foreach (var target in new[] { "relay-a", "anthropic", "gemini" })
        {
            Assert.Equal(1, metrics.Find("relay_probe_success", ("target", target), ("check", "models"))!.Value);
            Assert.True(metrics.Find("relay_probes_total", ("target", target), ("check", "models"), ("outcome", "success"))!.Value >= 1);
            Assert.True(metrics.Find("relay_probe_duration_seconds_count", ("target", target), ("check", "models"))!.Value >= 1);
            Assert.Equal(200, metrics.Find("relay_probe_http_status_code", ("target", target), ("check", "models"))!.Value);
        }
        Assert.Equal(1, metrics.Find("relay_model_listed", ("target", "gemini"), ("model", "gemini-2.5-flash"))!.Value);
    }

    [Fact]
    public async Task A_model_the_relay_stops_listing_turns_the_probe_into_model_missing()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var key = new EnvironmentScope([new("SIMULATOR_TEST_KEY", "sk-test-models")]);
        await using var exporter = await ExporterHost.StartAsync($$"""
            targets:
              - { name: relay-a, kind: relay, protocol: openai, base_url: "{{simulator.TargetUrl("relay-a")}}", credential: { env: SIMULATOR_TEST_KEY }, models: [gpt-4.1, deepseek-v3.2], checks: { models: { interval: 1s, timeout: 1s } } }
            """);
        using var client = exporter.CreateClient();
        using var admin = new HttpClient { BaseAddress = simulator.AdminUrl };

        (await admin.PutAsJsonAsync("/_sim/faults/relay-a/deepseek-v3.2", new { kind = "model_removed" })).EnsureSuccessStatusCode();

        var metrics = await Eventually.GetAsync(async () =>
        {
            var scraped = await ScrapedMetrics.ScrapeAsync(client);
            return scraped.Find("relay_probes_total", ("target", "relay-a"), ("outcome", "model_missing")) is not null ? scraped : null;
        }, TimeSpan.FromSeconds(15), "a model_missing probe");

        Assert.Equal(0, metrics.Find("relay_model_listed", ("target", "relay-a"), ("model", "deepseek-v3.2"))!.Value);
        Assert.Equal(1, metrics.Find("relay_model_listed", ("target", "relay-a"), ("model", "gpt-4.1"))!.Value);
        Assert.Equal(0, metrics.Find("relay_probe_success", ("target", "relay-a"), ("check", "models"))!.Value);
    }
}
