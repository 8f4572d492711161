using System.Diagnostics.Metrics;
using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Health;
using RelayExporter.Probing;
using RelayExporter.Telemetry;
using RelayExporter.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using RelayExporter.Outcomes;

namespace RelayExporter.Tests.Telemetry;

/// <summary>Health and circuit states are stored gauges: recorded when they change, by a probe or by time alone.</summary>
public sealed class StateGaugesTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(TestClock.Start);
    private ScrapeTestApp _app = null!;
    private readonly HealthBoard _health;
    private readonly CircuitBoard _circuits;
    private StateGauges _gauges = null!;
    private readonly string _configPath = Path.GetTempFileName();

    public StateGaugesTests()
    {
        File.WriteAllText(_configPath, """
            targets:
              - name: relay
                protocol: openai
                base_url: http://127.0.0.1:1
                checks:
                  models: { interval: 3s, timeout: 1s }
            """);
        var config = new RunningConfig(_configPath, ConfigLoader.Load(_configPath), _time);
        _health = new HealthBoard(config, _time, new RetryAfterGate(config, _time));
        _circuits = new CircuitBoard(config, _time);
    }

    public async Task InitializeAsync()
    {
        _app = await ScrapeTestApp.StartAsync();
        _gauges = new StateGauges(_app.Meter, _health, _circuits, _time);
    }

    [Fact]
    public async Task A_probe_records_the_state_at_once_and_time_alone_turns_it_unknown_at_the_next_refresh()
    {
        _health.Observe(new ProbeResult { Key = new ProbeKey("relay", "models", null), Outcome = ProbeOutcome.Success, Reason = "ok", StartedAt = _time.GetUtcNow() });
        _gauges.RefreshAfterProbe(new ProbeKey("relay", "models", null), []);

        Assert.Equal("healthy", CurrentState(await _app.ScrapeTextAsync()));

        _time.Advance(TimeSpan.FromMinutes(10)); // far past staleness (3 intervals)
        Assert.Equal("healthy", CurrentState(await _app.ScrapeTextAsync())); // stored until refreshed
        _gauges.Refresh();

        var text = await _app.ScrapeTextAsync();
        Assert.Equal("unknown", CurrentState(text));
        Assert.Equal(4, ScrapedMetrics.Parse(text).Named("relay_target_health_state").Count());
    }

    [Fact]
    public async Task The_health_score_is_read_from_the_recorded_state_and_is_absent_once_it_is_unknown()
    {
        _health.Observe(new ProbeResult { Key = new ProbeKey("relay", "models", null), Outcome = ProbeOutcome.Success, Reason = "ok", StartedAt = _time.GetUtcNow() });
        _gauges.RefreshAfterProbe(new ProbeKey("relay", "models", null), []);
        Assert.Equal(1, ScrapedMetrics.Parse(await _app.ScrapeTextAsync()).Find("relay_target_health", ("target", "relay"))?.Value);

        _time.Advance(TimeSpan.FromMinutes(10));
        // Until the refresh records "unknown", the score agrees with the state set it is scraped with.
        var beforeRefresh = await _app.ScrapeTextAsync();
        Assert.Equal("healthy", CurrentState(beforeRefresh));
        Assert.Equal(1, ScrapedMetrics.Parse(beforeRefresh).Find("relay_target_health", ("target", "relay"))?.Value);

        _gauges.Refresh();
        Assert.Empty(ScrapedMetrics.Parse(await _app.ScrapeTextAsync()).Named("relay_target_health"));
    }

    [Fact]
    public async Task Circuit_states_are_recorded_for_circuits_that_never_changed()
    {
        _circuits.For(CircuitKey.Api("relay"));

        _gauges.Refresh();

        var circuit = ScrapedMetrics.Parse(await _app.ScrapeTextAsync()).Named("relay_circuit_state").ToList();
        Assert.Equal(["closed", "half_open", "isolated", "open"], circuit.Select(s => s.Labels["state"]).Order());
        Assert.Equal("closed", Assert.Single(circuit, s => s.Value == 1).Labels["state"]);
    }

    [Fact]
    public async Task A_transition_reported_late_records_the_state_the_circuit_is_in_by_then()
    {
        var circuit = _circuits.For(CircuitKey.Api("relay"));
        await circuit.IsolateAsync();
        await circuit.CloseAsync();
        _gauges.RefreshAfterProbe(new ProbeKey("relay", "models", null), []);

        // Polly runs its callbacks later, on a thread of their own: the isolation's may come after the close was recorded.
        _gauges.RecordCircuit(circuit.Key);

        var states = ScrapedMetrics.Parse(await _app.ScrapeTextAsync()).Named("relay_circuit_state");
        Assert.Equal("closed", Assert.Single(states, s => s.Value == 1).Labels["state"]);
    }

    private static string CurrentState(string text) =>
        Assert.Single(ScrapedMetrics.Parse(text).Named("relay_target_health_state"), s => s.Value == 1).Labels["state"];

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        File.Delete(_configPath);
    }
}
