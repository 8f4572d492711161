using Microsoft.Extensions.DependencyInjection;
using RelayExporter.Configuration;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Telemetry;

[Collection(ExporterHostCollection.Name)]
public class DirectPairMetricTests
{
    [Fact]
    public async Task The_exporter_publishes_each_direct_pair_and_drops_it_when_a_reload_removes_it()
    {
        using var relay = new ClosedPort();
        using var provider = new ClosedPort();
        string Config(string providerModels) => $$"""
            targets:
              - { name: relay-a, kind: relay, protocol: openai, base_url: "http://127.0.0.1:{{relay.Port}}", models: [gpt-4.1, o3], checks: { chat: { interval: 1h } } }
              - { name: openai, protocol: openai, base_url: "http://127.0.0.1:{{provider.Port}}", models: [{{providerModels}}], checks: { chat: { interval: 1h } } }
            """;
        await using var exporter = await ExporterHost.StartAsync(Config("gpt-4.1"));
        using var client = exporter.CreateClient();

        var pairs = (await ScrapedMetrics.ScrapeAsync(client)).Named("relay_direct_pair_info").ToList();

        // o3 is the relay's alone: no pair.
        Assert.Equal([("relay-a", "gpt-4.1", "openai", 1.0)], pairs.Select(p => (p.Labels["target"], p.Labels["model"], p.Labels["direct_target"], p.Value)));

        await File.WriteAllTextAsync(exporter.ConfigPath, Config("o3"));
        Assert.Empty(exporter.Services.GetRequiredService<RunningConfig>().Reload());

        var after = (await ScrapedMetrics.ScrapeAsync(client)).Named("relay_direct_pair_info").ToList();
        Assert.Equal([("relay-a", "o3", "openai")], after.Select(p => (p.Labels["target"], p.Labels["model"], p.Labels["direct_target"])));
    }
}
