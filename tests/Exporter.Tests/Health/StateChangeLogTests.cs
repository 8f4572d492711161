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
        string[] health =
        [
            "The target relay-a became healthy (was unknown): health: ok",
            "The target relay-a became degraded (was healthy): health: connect_error: Connection refused",
            "The target relay-a became unhealthy (was degraded): health: connect_error: Connection refused",
            "The target relay-a recovered: healthy again (was unhealthy): health: ok",
        ];
        string[] circuit =
        [
            "The reachability circuit of relay-a opened until ",
            "The reachability circuit of relay-a half-opened: one trial probe goes through",
            "The reachability circuit of relay-a closed: its probes are sent again",
        ];
        int At(string line) => timeline.FindIndex(l => l.StartsWith(line, StringComparison.Ordinal));
        var healthAt = health.Select(At).ToList();
        var circuitAt = circuit.Select(At).ToList();
        var story = string.Join("\n", timeline);
        Assert.True(healthAt.Concat(circuitAt).All(i => i >= 0), $"missing from the timeline:\n{story}");
        // Each story in its order, each line once (a recovery takes two successes: the first changes nothing). The circuit
        // opens with a failure after the first (it may be the one that also makes the target unhealthy), and it closes
        // with the trial probe, before the second success makes the target healthy again.
        Assert.True(healthAt.SequenceEqual(healthAt.Order()) && circuitAt.SequenceEqual(circuitAt.Order()), $"out of order:\n{story}");
        Assert.True(healthAt[1] < circuitAt[0] && circuitAt[2] < healthAt[3], $"out of order:\n{story}");
        Assert.Equal(health.Length + circuit.Length, timeline.Count);
        var opened = timeline[circuitAt[0]];
        Assert.Matches(@"opened until \d\d:\d\d:\d\dZ, its probes are not sent until then: connect_error: Connection refused", opened);
        // The probes themselves (a dozen or more by now) are at debug.
        Assert.DoesNotContain(logs.Entries, e => e.Category.EndsWith(".ProbeHandler", StringComparison.Ordinal) && e.Level >= LogLevel.Information);
    }
}
