using System.Text.Json;
using RelayExporter.Simulator;
using RelayExporter.Sharding;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Sharding;

/// <summary>Two relay-exporter processes, shard 0 and 1 of the same configuration, probing the simulator.</summary>
public sealed class ShardedFleetTests
{
    private const int Targets = 30;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_shards_of_one_configuration_probe_disjoint_sets_that_cover_every_target()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        var configPath = Path.Combine(Path.GetTempPath(), $"relay-exporter-sharded-{Guid.NewGuid():N}.yml");
        var names = Enumerable.Range(0, Targets).Select(i => $"relay-{i:D2}").ToList();
        await File.WriteAllTextAsync(configPath, """
            defaults:
              checks:
                health: { interval: 1s, timeout: 1s }
            targets:

            """ + string.Concat(names.Select((name, i) =>
                $"  - {{ name: {name}, kind: relay, protocol: openai, base_url: \"{simulator.TargetUrl(i % 2 == 0 ? "relay-a" : "relay-b")}\", checks: {{ health: {{}} }} }}\n")));
        try
        {
            await using var shard0 = await StartAsync(configPath, 0);
            await using var shard1 = await StartAsync(configPath, 1);
            using var client0 = new HttpClient { BaseAddress = shard0.Url };
            using var client1 = new HttpClient { BaseAddress = shard1.Url };

            // Until every target of the configuration has been probed by one replica or the other.
            var (probed0, probed1) = (new HashSet<string>(), new HashSet<string>());
            await Eventually.UntilAsync(async () =>
            {
                probed0 = await ProbedTargetsAsync(client0);
                probed1 = await ProbedTargetsAsync(client1);
                return probed0.Union(probed1).Count() == Targets;
            }, Deadline, "every target to be probed by one of the two shards");
            // A few more probes each, so a target that both probed would show on both.
            var counts = await ProbeCountsAsync(client0);
            await Eventually.UntilAsync(async () => (await ProbeCountsAsync(client0)).All(c => c.Value >= counts[c.Key] + 2), Deadline, "two more rounds of probes");
            probed0 = await ProbedTargetsAsync(client0);
            probed1 = await ProbedTargetsAsync(client1);

            Assert.Empty(probed0.Intersect(probed1));
            Assert.Equal(names.ToHashSet(), probed0.Union(probed1).ToHashSet());
            Assert.NotEmpty(probed0);
            Assert.NotEmpty(probed1);

            // The API of each replica answers for its own targets and says which shard it is.
            foreach (var (client, probed, index) in new[] { (client0, probed0, 0), (client1, probed1, 1) })
            {
                using var response = await client.GetAsync("/api/v1/targets");
                Assert.Equal($"{index}/2", response.Headers.GetValues(ShardHeader.Name).Single());
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                var listed = document.RootElement.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToHashSet();
                Assert.Equal(probed.ToHashSet(), listed);
                // And so do its metrics, for the rule that pages when a shard is not scraped.
                var scraped = await ScrapedMetrics.ScrapeAsync(client);
                Assert.Equal(index, Assert.Single(scraped.Named("relay_exporter_shard")).Value);
                Assert.Equal(2, Assert.Single(scraped.Named("relay_exporter_shards")).Value);
            }
        }
        finally
        {
            File.Delete(configPath);
        }
    }

    private static async Task<HashSet<string>> ProbedTargetsAsync(HttpClient client) =>
        (await ProbeCountsAsync(client)).Keys.ToHashSet();

    private static async Task<Dictionary<string, double>> ProbeCountsAsync(HttpClient client) =>
        (await ScrapedMetrics.ScrapeAsync(client)).Named("relay_probes_total")
            .GroupBy(s => s.Labels["target"]).ToDictionary(g => g.Key, g => g.Sum(s => s.Value));

    private sealed record Replica(ExternalProcess Process, Uri Url) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }

    private static async Task<Replica> StartAsync(string configPath, int index)
    {
        var port = FreePort.Get();
        var process = ExternalProcess.Start("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "relay-exporter.dll"), "--config.file", configPath, "--web.listen-address", $"127.0.0.1:{port}",
             "--shard.index", index.ToString(System.Globalization.CultureInfo.InvariantCulture), "--shard.count", "2"]);
        var replica = new Replica(process, new Uri($"http://127.0.0.1:{port}"));
        using var client = new HttpClient { BaseAddress = replica.Url };
        await Eventually.UntilAsync(async () => (await client.GetAsync("/-/ready")).IsSuccessStatusCode, Deadline, $"shard {index} to be ready");
        return replica;
    }
}
