using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Tests.Infrastructure;
using RelayExporter.Outcomes;

namespace RelayExporter.Tests.Probing;

/// <summary>The health check honours what the health document says of the target, or only its status code with document: none.</summary>
public class HealthDocumentTests
{
    [Theory]
    [InlineData("""{"status":"down","providers":{"openai":"down"}}""", "upstream_down", false, "says it is down: status \"down\"")]
    [InlineData("""{"status":"unhealthy","healthy_endpoints":[],"unhealthy_endpoints":[{"model":"gpt-4.1"}]}""", "upstream_down", false, "status \"unhealthy\"")]
    [InlineData("""{"status":"DOWN","components":{"db":{"status":"DOWN"}}}""", "upstream_down", false, "status \"DOWN\"")]
    [InlineData("""{"status":"fail","output":"database unreachable"}""", "upstream_down", false, "status \"fail\"")]
    [InlineData("""{"status":"warn"}""", "success", true, "says it is degraded: status \"warn\"")]
    [InlineData("""{"status":"Degraded"}""", "success", true, "status \"Degraded\"")]
    [InlineData("""{"status":"UP"}""", "success", false, "status \"UP\", 0 providers")]
    [InlineData("""{"status":"pass"}""", "success", false, "status \"pass\"")]
    [InlineData("""{"status":"rebooting"}""", "success", false, "status \"rebooting\" is none of the configured status values")]
    [InlineData("""{"providers":{"openai":"up"}}""", "success", false, "status not reported, 1 providers")]
    public async Task The_documents_own_status_decides_the_outcome(string document, string outcome, bool degraded, string reason)
    {
        await using var relay = await LoopbackServer.StartAsync(context => Answer(context, 200, "application/json", document));
        using var rig = Rig(relay.Url, "health: { interval: 1m, timeout: 10s }");

        var result = await rig.ProbeAsync("relay", CheckKinds.Health.Name);

        Assert.Equal(outcome, result.Outcome.Label());
        Assert.Equal(degraded, result.Degraded);
        Assert.Contains(reason, result.Reason);
        Assert.NotNull(result.Health); // the providers are published whatever the verdict
    }

    [Fact]
    public async Task A_long_status_is_cut_after_the_secrets_are_out_so_no_start_of_a_key_survives()
    {
        const string key = "sk-health-7d2e9a4c1f";
        await using var relay = await LoopbackServer.StartAsync(context =>
            Answer(context, 200, "application/json", JsonSerializer.Serialize(new { status = new string('x', 35) + key })));
        using var env = new EnvironmentScope([new("HEALTH_DOCUMENT_KEY", key)]);
        using var rig = Rig(relay.Url, "health: { interval: 1m, timeout: 10s }", "credential: { env: HEALTH_DOCUMENT_KEY }, ");

        var result = await rig.ProbeAsync("relay", CheckKinds.Health.Name);

        Assert.Contains("is none of the configured status values", result.Reason);
        Assert.DoesNotContain(key[..5], result.Reason); // cut first, the key's first five characters would be too few to be found
    }

    [Fact]
    public async Task The_status_field_and_its_values_are_configurable()
    {
        await using var relay = await LoopbackServer.StartAsync(context => Answer(context, 200, "application/json", """{"success":true,"data":{"state":"offline"}}"""));
        using var rig = Rig(relay.Url, "health: { interval: 1m, timeout: 10s, status_field: data.state, healthy_values: [online], down_values: [offline] }");

        var result = await rig.ProbeAsync("relay", CheckKinds.Health.Name);

        Assert.Equal("upstream_down", result.Outcome.Label());
        Assert.Contains("data.state \"offline\"", result.Reason);
    }

    [Theory]
    [InlineData(200, "text/plain", "Welcome to Portkey", "success")]
    [InlineData(204, "text/plain", "", "success")]
    [InlineData(404, "text/plain", "Not Found", "client_error")]
    [InlineData(503, "text/plain", "upstream connect error", "server_error")]
    public async Task With_document_none_only_the_status_code_counts(int status, string type, string body, string outcome)
    {
        await using var gateway = await LoopbackServer.StartAsync(context => Answer(context, status, type, body));
        using var rig = Rig(gateway.Url, "health: { interval: 1m, timeout: 10s, path: /, document: none }");

        var result = await rig.ProbeAsync("relay", CheckKinds.Health.Name);

        Assert.Equal(outcome, result.Outcome.Label());
        Assert.Null(result.Health);
    }

    private static Task Answer(HttpContext context, int status, string type, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = type;
        return context.Response.WriteAsync(body);
    }

    private static ProbeRig Rig(Uri url, string checks, string credential = "")
    {
        var path = Path.Combine(Path.GetTempPath(), $"health-document-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, $$"""
            targets:
              - { name: relay, kind: relay, protocol: openai, base_url: "{{url}}", {{credential}}checks: { {{checks}} } }
            """);
        try
        {
            return new ProbeRig(ConfigLoader.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>A health document that says the relay is down makes the target unhealthy, in the running exporter.</summary>
[Collection(ExporterHostCollection.Name)]
public class HealthDocumentVerdictTests
{
    [Fact]
    public async Task A_relay_whose_health_document_says_down_is_unhealthy_with_that_reason()
    {
        await using var relay = await LoopbackServer.StartAsync(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"status":"down","providers":{"openai":{"available":false},"anthropic":{"available":false}}}""");
        });
        await using var exporter = await ExporterHost.StartAsync($$"""
            targets:
              - { name: relay, kind: relay, protocol: openai, base_url: "{{relay.Url}}", checks: { health: { interval: 1s, timeout: 1s } } }
            """);
        using var client = exporter.CreateClient();

        async Task<JsonElement> Target() => JsonDocument.Parse(await client.GetStringAsync("/api/v1/targets")).RootElement.GetProperty("targets")[0].Clone();

        await Eventually.UntilAsync(async () => (await Target()).GetProperty("state").GetString() == "unhealthy", TimeSpan.FromSeconds(15), "the target to turn unhealthy");
        var target = await Target();
        var metrics = await ScrapedMetrics.ScrapeAsync(client);

        Assert.Equal("unhealthy", target.GetProperty("state").GetString());
        Assert.StartsWith("health: upstream_down: the health document says it is down: status \"down\"",
            target.GetProperty("state_reason").GetString());
        Assert.True(metrics.Find("relay_probes_total", ("target", "relay"), ("check", "health"), ("outcome", "upstream_down"))?.Value >= 2);
        Assert.Equal(0, metrics.Find("relay_upstream_available", ("target", "relay"), ("provider", "openai"))?.Value);
    }
}
