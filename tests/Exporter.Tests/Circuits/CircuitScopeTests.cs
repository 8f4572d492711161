using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Circuits;

/// <summary>
/// Each check feeds and is gated by the circuit of what it tests, in the running exporter at the scheduler's own
/// cadence (health and models every 3 s, a failure confirmed after 1 s, a 15 s break): a check that keeps failing
/// neither starves nor is rescued by another.
/// </summary>
[Collection(ExporterHostCollection.Name)]
public class CircuitScopeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    // Longer than the 15 s break: the circuit's half-open trial, and what follows it, fall inside.
    private static readonly TimeSpan BeyondTheBreak = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_revoked_key_opens_the_api_circuit_for_good_while_health_probes_go_on_and_the_target_stays_unhealthy()
    {
        var gateway = new CountingGateway(health: context => Json(context, 200, """{"status":"ok"}"""),
            models: context => Json(context, 401, """{"error":{"message":"Incorrect API key provided"}}"""));
        await using var server = await LoopbackServer.StartAsync(gateway.Handle);
        await using var exporter = await StartAsync(server);
        using var client = exporter.CreateClient();

        // Any circuit of the target's own checks (no model label) opening: the api circuit, or before scopes the shared one.
        await Eventually.UntilAsync(async () => (await ScrapedMetrics.ScrapeAsync(client)).Named("relay_circuit_state")
            .Any(s => !s.Labels.ContainsKey("model") && s.Labels["state"] == "open" && s.Value == 1)
            && (await TargetAsync(client)).GetProperty("state").GetString() == "unhealthy", Deadline, "a circuit of the target to open, and the target to turn unhealthy");
        var healthProbesBefore = gateway.HealthRequests;
        var seen = new List<JsonElement>();
        for (var watch = Stopwatch.StartNew(); watch.Elapsed < BeyondTheBreak;)
        {
            seen.Add((await TargetAsync(client)).Clone());
            await Task.Delay(250);
        }
        var metrics = await ScrapedMetrics.ScrapeAsync(client);

        Assert.All(seen, t => Assert.Equal("unhealthy", t.GetProperty("state").GetString()));
        // Health probes were sent all along: about one every 3 s.
        Assert.InRange(gateway.HealthRequests - healthProbesBefore, 5, 10);
        Assert.Null(metrics.Find("relay_probes_total", ("target", "relay"), ("check", "health"), ("outcome", "circuit_open")));
        Assert.DoesNotContain(metrics.Named("relay_circuit_transitions_total"), s => !s.Labels.ContainsKey("model") && s.Labels["to"] == "closed");
        Assert.All(seen, t => Assert.Contains("models: credential rejected", t.GetProperty("state_reason").GetString()));
        Assert.All(seen, t => Assert.NotEqual("closed", Circuit(t, "api").GetProperty("state").GetString()));
        Assert.All(seen, t => Assert.Equal("closed", Circuit(t, "reachability").GetProperty("state").GetString()));
        Assert.Equal(1.0, metrics.Find("relay_circuit_state", ("target", "relay"), ("scope", "api"), ("state", "open"))?.Value
            + metrics.Find("relay_circuit_state", ("target", "relay"), ("scope", "api"), ("state", "half_open"))?.Value);
        Assert.Equal(1, metrics.Find("relay_circuit_state", ("target", "relay"), ("scope", "reachability"), ("state", "closed"))?.Value);
        Assert.Contains("auth_error: HTTP 401", Circuit(await TargetAsync(client), "api").GetProperty("opened_by").GetString());
    }

    [Fact]
    public async Task A_gateway_without_a_health_document_does_not_keep_its_models_probes_from_being_sent()
    {
        var gateway = new CountingGateway(health: context => Text(context, 404, "Not Found"),
            models: context => Json(context, 200, """{"object":"list","data":[{"id":"gpt-4.1","object":"model"}]}"""));
        await using var server = await LoopbackServer.StartAsync(gateway.Handle);
        await using var exporter = await StartAsync(server);
        using var client = exporter.CreateClient();

        await Eventually.UntilAsync(async () => (await ScrapedMetrics.ScrapeAsync(client)).Named("relay_circuit_state")
            .Any(s => !s.Labels.ContainsKey("model") && s.Labels["state"] == "open" && s.Value == 1), Deadline, "a circuit of the target to open");
        var modelsProbesBefore = gateway.ModelsRequests;
        // Past the break: with the models probes held back, the next ones would come only with the trial.
        await Eventually.UntilAsync(() => gateway.ModelsRequests >= modelsProbesBefore + 6, BeyondTheBreak, "six more models probes");
        var metrics = await ScrapedMetrics.ScrapeAsync(client);

        Assert.Null(metrics.Find("relay_probes_total", ("target", "relay"), ("check", "models"), ("outcome", "circuit_open")));
        Assert.True(metrics.Find("relay_probes_total", ("target", "relay"), ("check", "models"), ("outcome", "success"))?.Value >= 6);
        Assert.Equal(1, metrics.Find("relay_circuit_state", ("target", "relay"), ("scope", "api"), ("state", "closed"))?.Value);
        var target = await TargetAsync(client);
        Assert.Equal("unhealthy", target.GetProperty("state").GetString());
        Assert.StartsWith("health: client_error: HTTP 404", target.GetProperty("state_reason").GetString());
    }

    private static Task<ExporterHost> StartAsync(LoopbackServer server)
    {
        Environment.SetEnvironmentVariable("CIRCUIT_SCOPE_TEST_KEY", "sk-circuit-scope");
        return ExporterHost.StartAsync($$"""
            targets:
              - { name: relay, kind: relay, protocol: openai, base_url: "{{server.Url}}", credential: { env: CIRCUIT_SCOPE_TEST_KEY }, models: [gpt-4.1] }
            """);
    }

    private static async Task<JsonElement> TargetAsync(HttpClient client) =>
        JsonDocument.Parse(await client.GetStringAsync("/api/v1/targets")).RootElement.GetProperty("targets")[0];

    private static JsonElement Circuit(JsonElement target, string scope) =>
        target.GetProperty("circuits").EnumerateArray().Single(c => c.GetProperty("scope").GetString() == scope);

    private static Task Json(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body);
    }

    private static Task Text(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync(body);
    }

    /// <summary>A gateway that answers /health and everything else (the models list) as the test says, counting both.</summary>
    private sealed class CountingGateway(RequestDelegate health, RequestDelegate models)
    {
        private int _health, _models;

        public int HealthRequests => Volatile.Read(ref _health);
        public int ModelsRequests => Volatile.Read(ref _models);

        public Task Handle(HttpContext context)
        {
            if (context.Request.Path == "/health")
            {
                Interlocked.Increment(ref _health);
                return health(context);
            }
            Interlocked.Increment(ref _models);
            return models(context);
        }
    }
}
