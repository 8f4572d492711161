using Microsoft.Extensions.Logging;
using RelayExporter.Simulator;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Health;

/// <summary>
/// The log at info of an outage and its recovery, from the real exporter probing the simulator: every change of a
/// state or a circuit with its reason, in the order it happened, and no line per probe.
/// </summary>
[Collection(ExporterHostCollection.Name)]
public sealed class StateChangeLogTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_outage_and_its_recovery_read_as_a_timeline_of_state_and_circuit_changes_with_their_reasons()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        var logs = new TestLoggerProvider();
        await using var exporter = await ExporterHost.StartAsync($$"""
            targets:
              - name: relay-a
                kind: relay
                protocol: openai
                base_url: "{{simulator.TargetUrl("relay-a")}}"
                models: [gpt-4.1]
                checks: { health: { interval: 1s, timeout: 1s } }
            circuit: { break_duration: 2s }
            """, logs: logs, logLevel: LogLevel.Information);
        List<string> Timeline() => logs.Entries.Where(e => e.Category.EndsWith(".StateChangeLog", StringComparison.Ordinal)).Select(e => e.Message).ToList();

        await Eventually.UntilAsync(() => Timeline().Any(l => l.StartsWith("The target relay-a became healthy (was unknown): health: ok", StringComparison.Ordinal)),
            Deadline, "relay-a to be logged healthy");
        using var admin = new HttpClient { BaseAddress = simulator.AdminUrl };
        (await admin.PutAsync("/_sim/faults/relay-a", new StringContent("""{"kind":"down","mode":"refused"}"""))).EnsureSuccessStatusCode();
        await Eventually.UntilAsync(() => Timeline().Any(l => l.StartsWith("The reachability circuit of relay-a opened", StringComparison.Ordinal)),
            Deadline, "relay-a's reachability circuit to be logged open");
        (await admin.DeleteAsync("/_sim/faults/relay-a")).EnsureSuccessStatusCode();
        await Eventually.UntilAsync(() => Timeline().Any(l => l.StartsWith("The target relay-a recovered", StringComparison.Ordinal)),
            Deadline, "relay-a to be logged recovered");

        var timeline = Timeline();
        string[] expected =
        [
            "The target relay-a became healthy (was unknown): health: ok",
            "The target relay-a became degraded (was healthy): health: connect_error: Connection refused",
            "The target relay-a became unhealthy (was degraded): health: connect_error: Connection refused",
            "The reachability circuit of relay-a opened until ",
            "The reachability circuit of relay-a half-opened: one trial probe goes through",
            "The reachability circuit of relay-a closed: its probes are sent again",
            "The target relay-a recovered: healthy again (was unhealthy): health: ok",
        ];
        // Each in this order, each once (a recovery takes two successes: the first one changes nothing).
        var at = expected.Select(line => timeline.FindIndex(l => l.StartsWith(line, StringComparison.Ordinal))).ToList();
        Assert.True(at.All(i => i >= 0), $"missing from the timeline:\n{string.Join("\n", timeline)}");
        Assert.True(at.SequenceEqual(at.Order()), $"out of order:\n{string.Join("\n", timeline)}");
        Assert.Equal(expected.Length, timeline.Count);
        Assert.Matches(@"opened until \d\d:\d\d:\d\dZ, its probes are not sent until then: connect_error: Connection refused", timeline[at[3]]);
        // The probes themselves (a dozen or more by now) are at debug.
        Assert.DoesNotContain(logs.Entries, e => e.Category.EndsWith(".ProbeHandler", StringComparison.Ordinal) && e.Level >= LogLevel.Information);
    }
}
