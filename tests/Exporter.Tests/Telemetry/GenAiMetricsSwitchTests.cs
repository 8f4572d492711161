using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using RelayExporter.Configuration;
using RelayExporter.Simulator;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Telemetry;

/// <summary><c>metrics.gen_ai</c>: the GenAI series are in /metrics while the configuration asks for them, and only then.</summary>
[Collection(ExporterHostCollection.Name)]
public sealed class GenAiMetricsSwitchTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task GenAI_series_are_published_only_while_the_configuration_asks_for_them_failed_operations_with_their_error_type()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var key = new EnvironmentScope([new("GENAI_SWITCH_TEST_KEY", "sk-genai-switch")]);
        var answering = simulator.TargetUrl("openai").Port.ToString(CultureInfo.InvariantCulture);
        var downPort = FreePort.Get().ToString(CultureInfo.InvariantCulture);
        string Config(string metrics) => $$"""
            targets:
              - { name: answering, protocol: openai, base_url: "{{simulator.TargetUrl("openai")}}", credential: { env: GENAI_SWITCH_TEST_KEY }, models: [gpt-4.1], checks: { chat: { interval: 1s, timeout: 1s } } }
              - { name: down, protocol: openai, base_url: "http://127.0.0.1:{{downPort}}", credential: { env: GENAI_SWITCH_TEST_KEY }, models: [gpt-4.1], checks: { chat: { interval: 1s, timeout: 1s } } }
            {{metrics}}
            """;
        await using var exporter = await ExporterHost.StartAsync(Config(""));
        using var client = exporter.CreateClient();
        var config = exporter.Services.GetRequiredService<RunningConfig>();

        // Off by default: both targets' chat probes are in the relay_* series, and nothing is in a gen_ai one.
        await Eventually.UntilAsync(async () =>
        {
            var probes = ScrapedMetrics.Parse(await client.GetStringAsync("/metrics")).Named("relay_probes_total").ToList();
            return probes.Any(s => s.Labels["target"] == "answering" && s.Labels["outcome"] == "success")
                && probes.Any(s => s.Labels["target"] == "down" && s.Labels["outcome"] == "connect_error");
        }, Deadline, "a successful and a failed chat probe");
        Assert.DoesNotContain("gen_ai", await client.GetStringAsync("/metrics"));

        await File.WriteAllTextAsync(exporter.ConfigPath, Config("metrics: { gen_ai: true }"));
        Assert.Empty(config.Reload());

        // On: the failed operation is a series of its own, with the outcome as its error.type; the successful one has none.
        var durations = await Eventually.GetAsync(async () =>
        {
            var samples = ScrapedMetrics.Parse(await client.GetStringAsync("/metrics")).Named("gen_ai_client_operation_duration_seconds_count").ToList();
            return samples.Any(s => s.Labels["server_port"] == answering) && samples.Any(s => s.Labels["server_port"] == downPort) ? samples : null;
        }, Deadline, "GenAI operation durations of both targets");
        Assert.All(durations, s => Assert.Equal(("chat", "openai", "gpt-4.1"),
            (s.Labels["gen_ai_operation_name"], s.Labels["gen_ai_provider_name"], s.Labels["gen_ai_request_model"])));
        var failed = Assert.Single(durations, s => s.Labels["server_port"] == downPort);
        Assert.Equal("connect_error", failed.Labels["error_type"]);
        var succeeded = Assert.Single(durations, s => s.Labels["server_port"] == answering);
        Assert.False(succeeded.Labels.ContainsKey("error_type"));
        Assert.Equal("gpt-4.1", succeeded.Labels["gen_ai_response_model"]);

        await File.WriteAllTextAsync(exporter.ConfigPath, Config("metrics: { gen_ai: false }"));
        Assert.Empty(config.Reload());

        await Eventually.UntilAsync(async () => !(await client.GetStringAsync("/metrics")).Contains("gen_ai"), Deadline, "the GenAI series to leave /metrics");
    }
}
