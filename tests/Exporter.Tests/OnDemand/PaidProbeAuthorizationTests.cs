using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.OnDemand;

/// <summary>On-demand chat and stream probes spend money: only the holder of the admin token may run them.</summary>
[Collection(ExporterHostCollection.Name)]
public sealed class PaidProbeAuthorizationTests
{
    private const string Token = "paid-probe-admin-token";

    [Fact]
    public async Task Without_a_configured_admin_token_paid_probes_are_refused_and_free_ones_run()
    {
        await using var target = await StartTargetAsync();
        await using var exporter = await ExporterHost.StartAsync(Config(target, withToken: false));
        using var client = exporter.CreateClient();

        foreach (var check in new[] { "chat", "stream" })
        {
            using var refused = await client.GetAsync($"/probe?target=relay&check={check}&model=m");
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.StartsWith("on-demand chat and stream probes (paid completions) are disabled: set admin.token", await Error(refused));
        }
        Assert.Empty(_completions);

        using var free = await client.GetAsync("/probe?target=relay&check=models");
        Assert.Equal(HttpStatusCode.OK, free.StatusCode);
    }

    [Fact]
    public async Task With_a_configured_admin_token_a_paid_probe_needs_it_and_runs_with_it()
    {
        await using var target = await StartTargetAsync();
        using var environment = new EnvironmentScope([new("PAID_PROBE_ADMIN_TOKEN", Token)]);
        await using var exporter = await ExporterHost.StartAsync(Config(target, withToken: true));
        using var client = exporter.CreateClient();

        using var anonymous = await client.GetAsync("/probe?target=relay&check=chat&model=m");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.StartsWith("Bearer", anonymous.Headers.WwwAuthenticate.ToString());
        using var wrong = await client.SendAsync(Probe("chat", "not-the-token"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Empty(_completions);

        using var allowed = await client.SendAsync(Probe("chat", Token));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Contains("relay_probe_success 1", await allowed.Content.ReadAsStringAsync());
        Assert.Single(_completions);
    }

    private static HttpRequestMessage Probe(string check, string token) => new(HttpMethod.Get, $"/probe?target=relay&check={check}&model=m")
    {
        Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };

    private readonly ConcurrentQueue<string> _completions = new();

    /// <summary>A target that lists one model and answers every completion "OK"; it records the completions asked for.</summary>
    private Task<LoopbackServer> StartTargetAsync() => LoopbackServer.StartAsync(context =>
    {
        if (!context.Request.Path.Value!.EndsWith("/models")) _completions.Enqueue(context.Request.Path.Value);
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(context.Request.Path.Value!.EndsWith("/models")
            ? """{"object":"list","data":[{"id":"m","object":"model"}]}"""
            : """{"choices":[{"index":0,"message":{"role":"assistant","content":"OK"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}""");
    });

    private static string Config(LoopbackServer target, bool withToken) => $$"""
        defaults:
          checks:
            models: { interval: 1h }
        targets:
          - { name: relay, protocol: openai, base_url: "{{target.Url}}", models: [m], checks: { models: {} } }
        """ + (withToken ? "\nadmin:\n  token: { env: PAID_PROBE_ADMIN_TOKEN }\n" : "\n");

    private static async Task<string> Error(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
}
