using System.Net;
using System.Text.Json;
using RelayExporter.Simulator;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Routing;

/// <summary>/api/v1/targets and /api/v1/route against the running exporter probing the simulator.</summary>
[Collection(ExporterHostCollection.Name)]
public sealed class RoutingApiTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private SimulatorHost _simulator = null!;
    private ExporterHost _exporter = null!;
    private HttpClient _client = null!;
    private HttpClient _admin = null!;
    private EnvironmentScope _key = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        _admin = new HttpClient { BaseAddress = _simulator.AdminUrl };
        _key = new EnvironmentScope([new("ROUTING_TEST_KEY", "sk-routing")]);
        _exporter = await ExporterHost.StartAsync($$"""
            defaults:
              checks:
                health: { interval: 1s, timeout: 1s }
                models: { interval: 1s, timeout: 1s }
            targets:
              - { name: relay-a, kind: relay, protocol: openai, base_url: "{{_simulator.TargetUrl("relay-a")}}", credential: { env: ROUTING_TEST_KEY }, models: [gpt-4.1, claude-sonnet-4.5] }
              - { name: relay-b, kind: relay, protocol: openai, base_url: "{{_simulator.TargetUrl("relay-b")}}", credential: { env: ROUTING_TEST_KEY }, models: [gpt-4.1, claude-sonnet-4.5] }
              - { name: anthropic, protocol: anthropic, base_url: "{{_simulator.TargetUrl("anthropic")}}", credential: { env: ROUTING_TEST_KEY }, models: [claude-sonnet-4.5] }
            fallbacks:
              gpt-4.1: [gemini-2.5-flash, claude-sonnet-4.5]
            """);
        _client = _exporter.CreateClient();
        await Eventually.UntilAsync(async () => (await RouteAsync("gpt-4.1")).Json.GetProperty("targets").EnumerateArray().Count(t => t.GetProperty("state").GetString() == "healthy") == 2,
            Deadline, "both relays to be healthy");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _admin.Dispose();
        await _exporter.DisposeAsync();
        await _simulator.DisposeAsync();
        _key.Dispose();
    }

    [Fact]
    public async Task Targets_lists_state_circuit_last_outcome_latency_models_upstreams_and_recent_probes()
    {
        // Health documents come from their own check, which may not have run yet.
        using var document = await Eventually.GetAsync(async () =>
        {
            var json = JsonDocument.Parse(await _client.GetStringAsync("/api/v1/targets"));
            return json.RootElement.GetProperty("targets")[0].GetProperty("upstreams").GetArrayLength() > 0 ? json : null;
        }, Deadline, "relay-a's health document");
        var targets = document.RootElement.GetProperty("targets").EnumerateArray().ToList();
        var relay = targets.Single(t => t.GetProperty("name").GetString() == "relay-a");

        Assert.Equal(["relay-a", "relay-b", "anthropic"], targets.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal("healthy", relay.GetProperty("state").GetString());
        Assert.Equal("closed", relay.GetProperty("circuit").GetString());
        Assert.Equal("success", relay.GetProperty("last_outcome").GetString());
        Assert.True(relay.GetProperty("latency").GetProperty("p50_seconds").GetDouble() > 0);
        Assert.Equal(["gpt-4.1", "claude-sonnet-4.5"], relay.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        Assert.True(relay.GetProperty("models")[0].GetProperty("listed").GetBoolean());
        Assert.Contains(relay.GetProperty("upstreams").EnumerateArray(), u => u.GetProperty("provider").GetString() == "anthropic");
        var probe = relay.GetProperty("recent_probes")[0];
        Assert.Equal("success", probe.GetProperty("outcome").GetString());
        Assert.True(probe.GetProperty("duration_seconds").GetDouble() > 0);
    }

    [Fact]
    public async Task Route_puts_healthy_first_excludes_open_circuits_and_follows_the_fallback_chain()
    {
        (await _admin.PutAsync("/_sim/faults/relay-b", new StringContent("""{"kind":"slow","delay_ms":150}"""))).EnsureSuccessStatusCode();
        await Eventually.UntilAsync(async () => (await RouteAsync("gpt-4.1")).Targets.FirstOrDefault() == "relay-a", Deadline, "the faster relay to come first");

        (await _admin.PutAsync("/_sim/faults/relay-a", new StringContent("""{"kind":"down","mode":"refused"}"""))).EnsureSuccessStatusCode();
        await Eventually.UntilAsync(async () => (await RouteAsync("gpt-4.1")).Targets.SequenceEqual(["relay-b"]), Deadline, "the broken relay to be excluded");

        (await _admin.PutAsync("/_sim/faults/relay-b", new StringContent("""{"kind":"unauthorized"}"""))).EnsureSuccessStatusCode();
        var fallback = await Eventually.GetAsync(async () =>
        {
            var route = await RouteAsync("gpt-4.1");
            return route.Model == "claude-sonnet-4.5" ? route : null;
        }, Deadline, "a fallback to claude-sonnet-4.5");

        Assert.Equal(["anthropic"], fallback.Targets);
        Assert.Equal("gpt-4.1", fallback.Json.GetProperty("fallback").GetProperty("from").GetString());
        Assert.Contains("no target can serve gpt-4.1", fallback.Json.GetProperty("fallback").GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("/api/v1/route", HttpStatusCode.BadRequest, "missing parameter 'model'")]
    [InlineData("/api/v1/route?model=llama-4", HttpStatusCode.NotFound, "no target is configured to serve model 'llama-4' and it has no fallback chain")]
    public async Task Route_refuses_what_it_cannot_answer(string path, HttpStatusCode status, string error)
    {
        using var response = await _client.GetAsync(path);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(error, body.RootElement.GetProperty("error").GetString());
    }

    private async Task<Route> RouteAsync(string model)
    {
        using var response = await _client.GetAsync($"/api/v1/route?model={model}");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return new Route(json.GetProperty("model").GetString(), json.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("target").GetString()!).ToList(), json);
    }

    private sealed record Route(string? Model, List<string> Targets, JsonElement Json);
}
