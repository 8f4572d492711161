using RelayExporter.Simulator;
using RelayExporter.Telemetry;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Telemetry;

/// <summary>Instruments whose label values the configuration cannot predict start small and grow before they overflow.</summary>
[Collection(ExporterHostCollection.Name)]
public sealed class OpenEndedLimitsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public void Open_ended_instruments_start_from_the_fleet_and_grow_to_half_as_much_again_as_they_held()
    {
        var limits = new CardinalityLimits { SizedFor = new FleetSize(Series: 1000, Targets: 500, Models: 500, ModelSeries: 0, ModelCircuits: 0, RelayHealthChecks: 500, GenAiModels: 0, GenAiStreamedModels: 0) };
        var outcomes = limits.For("relay_probes");
        var providers = limits.For("relay_upstream_available");

        Assert.Equal(256 + 2000 + 250, outcomes);   // two outcomes per series, an eighth more
        Assert.Equal(256 + 2000 + 250, providers);  // four providers per relay
        Assert.False(limits.TooSmallFor(new Dictionary<string, int> { ["relay_probes"] = outcomes - 64 }));
        Assert.True(limits.TooSmallFor(new Dictionary<string, int> { ["relay_probes"] = outcomes - 63 }));

        limits.ObservedWhenSized = new Dictionary<string, int> { ["relay_probes"] = 4000, ["relay_upstream_available"] = 100 };

        Assert.Equal(256 + 6000 + 750, limits.For("relay_probes"));
        Assert.Equal(providers, limits.For("relay_upstream_available")); // never below the fleet's estimate
        Assert.Equal(256 + 1000, limits.For("relay_probe_success")); // a predictable instrument: exactly the fleet, whatever was observed
    }

    [Fact]
    public void Providers_grow_no_further_than_every_relay_listing_its_most_and_then_stop_restarting()
    {
        var limits = new CardinalityLimits
        {
            SizedFor = new FleetSize(Series: 1000, Targets: 500, Models: 500, ModelSeries: 0, ModelCircuits: 0, RelayHealthChecks: 500, GenAiModels: 0, GenAiStreamedModels: 0),
            ObservedWhenSized = new Dictionary<string, int> { ["relay_upstream_available"] = 20_000 }, // a relay renaming its providers
        };
        var ceiling = 256 + 500 * 32 + 500 * 32 / 8;

        Assert.Equal(ceiling, limits.For("relay_upstream_available"));
        Assert.False(limits.TooSmallFor(new Dictionary<string, int> { ["relay_upstream_available"] = ceiling + 1_000 }));
    }

    [Fact]
    public async Task Relays_reporting_more_providers_than_expected_get_every_series_and_nothing_overflows()
    {
        // Ten relays of 32 providers each: 320 upstream series, above the 301 that ten relays are sized for at start.
        var crowded = new TargetDefinition("crowded", TargetProtocol.OpenAi, TargetKind.Relay, ["gpt-4.1"])
        {
            Providers = Enumerable.Range(1, 32).Select(i => $"upstream-{i}").ToList(),
        };
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Targets = [crowded] });
        var targets = Enumerable.Range(0, 10).Select(i =>
            $"  - {{ name: relay-{i}, kind: relay, protocol: openai, base_url: \"{simulator.TargetUrl("crowded")}\", checks: {{ health: {{ interval: 1s, timeout: 1s }} }} }}");
        await using var exporter = await ExporterHost.StartAsync("targets:\n" + string.Join("\n", targets) + "\n");
        using var client = exporter.CreateClient();

        await Eventually.UntilAsync(async () => ScrapedMetrics.Parse(await client.GetStringAsync("/metrics")).Named("relay_upstream_available").Count() == 320,
            Deadline, "an upstream series for each of the 10 × 32 providers");

        Assert.DoesNotContain("otel_metric_overflow", await client.GetStringAsync("/metrics"));
    }
}
