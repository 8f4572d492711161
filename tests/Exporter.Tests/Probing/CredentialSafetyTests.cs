using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.OnDemand;
using RelayExporter.Simulator;
using RelayExporter.Tests.Infrastructure;
using RelayExporter.Outcomes;
using TargetKind = RelayExporter.Configuration.TargetKind;

namespace RelayExporter.Tests.Probing;

/// <summary>A credential never leaves the process: not in metrics, logs, API responses, debug traces or error messages.</summary>
[Collection(ExporterHostCollection.Name)]
public sealed class CredentialSafetyTests
{
    private const string Canary = "sk-CANARY-7f3e9a1b2c4d5e6f";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_full_round_of_successes_and_failures_never_shows_the_key()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var key = new EnvironmentScope([new("CREDENTIAL_CANARY_KEY", Canary), new("CREDENTIAL_ADMIN_TOKEN", "admin-token")]);
        var logs = new TestLoggerProvider();
        await using var exporter = await ExporterHost.StartAsync($$"""
            defaults:
              checks:
                health: { interval: 1s, timeout: 1s }
                models: { interval: 1s, timeout: 1s }
                chat: { interval: 1s, timeout: 1s }
                stream: { interval: 1s, timeout: 1s }
            targets:
              - { name: relay-a, kind: relay, protocol: openai, base_url: "{{simulator.TargetUrl("relay-a")}}", credential: { env: CREDENTIAL_CANARY_KEY }, models: [gpt-4.1], checks: { health: {}, models: {}, chat: {}, stream: {} } }
              - { name: anthropic, protocol: anthropic, base_url: "{{simulator.TargetUrl("anthropic")}}", credential: { env: CREDENTIAL_CANARY_KEY }, models: [claude-sonnet-4.5], checks: { models: {}, chat: {}, stream: {} } }
              - { name: gemini, protocol: gemini, base_url: "{{simulator.TargetUrl("gemini")}}", credential: { env: CREDENTIAL_CANARY_KEY }, models: [gemini-2.5-flash], checks: { models: {}, chat: {}, stream: {} } }
            admin:
              token: { env: CREDENTIAL_ADMIN_TOKEN }
            """, logs: logs, logLevel: Microsoft.Extensions.Logging.LogLevel.Debug);
        using var client = exporter.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "admin-token"); // for the chat and stream probes
        using var admin = new HttpClient { BaseAddress = simulator.AdminUrl };
        var seen = new List<string>();

        // Each round breaks every target a different way; every outcome must have been reached before moving on.
        string[][] rounds =
        [
            ["relay-a", """{"kind":"unauthorized"}""", "auth_error", "anthropic", """{"kind":"rate_limited","retry_after_s":1}""", "rate_limited", "gemini", """{"kind":"html"}""", "invalid_response"],
            ["relay-a", """{"kind":"garbage"}""", "invalid_response", "anthropic", """{"kind":"overloaded"}""", "overloaded", "gemini", """{"kind":"status","status":500}""", "server_error"],
            ["relay-a", """{"kind":"redirect","location":"http://127.0.0.1:9/"}""", "invalid_response", "anthropic", """{"kind":"down","mode":"reset"}""", "connect_error", "gemini", """{"kind":"down","mode":"refused"}""", "connect_error"],
        ];
        foreach (var round in rounds)
        {
            for (var i = 0; i < round.Length; i += 3)
                (await admin.PutAsync($"/_sim/faults/{round[i]}", new StringContent(round[i + 1]))).EnsureSuccessStatusCode();
            for (var i = 0; i < round.Length; i += 3)
            {
                var (target, outcome) = (round[i], round[i + 2]);
                await Eventually.UntilAsync(async () =>
                {
                    var metrics = await client.GetStringAsync("/metrics");
                    seen.Add(metrics);
                    return ScrapedMetrics.Parse(metrics).Named("relay_probes_total")
                        .Any(s => s.Labels["target"] == target && s.Labels["outcome"] == outcome);
                }, Deadline, $"{target} to end a probe in {outcome}");
            }
            foreach (var target in new[] { "relay-a", "anthropic", "gemini" })
                foreach (var check in new[] { "models", "chat", "stream" })
                {
                    seen.Add(await client.GetStringAsync($"/probe?target={target}&check={check}&debug=true"));
                    seen.Add(await client.GetStringAsync($"/probe?target={target}&check={check}"));
                }
            (await admin.DeleteAsync("/_sim/faults")).EnsureSuccessStatusCode();
        }
        // Stream faults inside a 200 response, and a healthy round.
        (await admin.PutAsync("/_sim/faults/anthropic/claude-sonnet-4.5", new StringContent("""{"kind":"stream_error"}"""))).EnsureSuccessStatusCode();
        (await admin.PutAsync("/_sim/faults/relay-a/gpt-4.1", new StringContent("""{"kind":"stream_cut","after_chunks":2}"""))).EnsureSuccessStatusCode();
        seen.Add(await client.GetStringAsync("/probe?target=anthropic&check=stream&debug=true"));
        seen.Add(await client.GetStringAsync("/probe?target=relay-a&check=stream&debug=true"));
        (await admin.DeleteAsync("/_sim/faults")).EnsureSuccessStatusCode();
        seen.Add(await client.GetStringAsync("/probe?target=relay-a&check=health&debug=true"));
        using var openMetrics = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        openMetrics.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/openmetrics-text"));
        seen.Add(await (await client.SendAsync(openMetrics)).Content.ReadAsStringAsync());
        var results = exporter.Services.GetRequiredService<ProbeResultStore>().Latest;
        // The store keeps no transcript (headers, body): what it keeps must not hold the key either.
        Assert.All(results, r => Assert.Null(r.Transcript));
        seen.AddRange(results.Select(r => r.Reason));
        seen.AddRange(logs.Entries.Select(e => $"{e.Message} {e.Exception}"));

        // The key was really sent (so its absence below means something) ...
        var requests = JsonDocument.Parse(await admin.GetStringAsync("/_sim/requests/anthropic")).RootElement.GetProperty("requests").EnumerateArray().ToList();
        Assert.Contains(requests, r => r.GetProperty("path").GetString() == "/v1/messages" && r.GetProperty("auth_present").GetBoolean());
        Assert.Contains(logs.Entries, e => e.Message.Contains("auth_error"));
        // ... and it appears nowhere.
        Assert.All(seen, text => Assert.DoesNotContain(Canary, text));
    }

    [Fact]
    public async Task A_key_that_a_hostile_upstream_echoes_back_is_redacted()
    {
        await using var echo = await LoopbackServer.StartAsync(async context =>
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            context.Response.StatusCode = 401;
            context.Response.Headers["X-Echo"] = authorization;
            await context.Response.WriteAsync("{\"error\":{\"message\":\"bad key " + authorization + "\"}}");
        });
        using var key = new EnvironmentScope([new("ECHO_CANARY_KEY", Canary)]);
        using var rig = new ProbeRig(new ExporterOptions
        {
            Targets = [new TargetOptions { Name = "echo", Protocol = ProtocolKind.Openai, BaseUrl = echo.Url.ToString(), Credential = new CredentialOptions { Env = "ECHO_CANARY_KEY" } }],
        });

        var result = await rig.ProbeAsync("echo", CheckKinds.Models.Name, transcribe: true);
        var debug = ProbeDebugTrace.Render(rig.Job("echo", CheckKinds.Models.Name), result);

        Assert.Equal(ProbeOutcome.AuthError, result.Outcome);
        Assert.Contains($"Bearer {Canary}", echo.Requests.Single()["Authorization"]); // it was sent, and echoed
        Assert.Contains("<redacted>", result.Reason);
        Assert.DoesNotContain(Canary, result.Reason);
        Assert.DoesNotContain(Canary, debug);
        Assert.Contains("X-Echo: Bearer <redacted>", debug);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_so_the_key_never_reaches_another_host()
    {
        await using var elsewhere = await LoopbackServer.StartAsync(context => context.Response.WriteAsync("""{"data":[]}"""));
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var admin = new HttpClient { BaseAddress = simulator.AdminUrl };
        (await admin.PutAsync("/_sim/faults/openai", new StringContent($$"""{"kind":"redirect","location":"{{elsewhere.Url}}v1/models"}"""))).EnsureSuccessStatusCode();
        using var key = new EnvironmentScope([new("REDIRECT_CANARY_KEY", Canary)]);
        using var rig = new ProbeRig(new ExporterOptions
        {
            Targets = [new TargetOptions { Name = "openai", Kind = TargetKind.Provider, Protocol = ProtocolKind.Openai, BaseUrl = simulator.TargetUrl("openai").ToString(),
                Credential = new CredentialOptions { Env = "REDIRECT_CANARY_KEY" } }],
        });

        var result = await rig.ProbeAsync("openai", CheckKinds.Models.Name);

        Assert.Equal(ProbeOutcome.InvalidResponse, result.Outcome);
        Assert.Equal($"HTTP 302 redirect to {elsewhere.Url}v1/models not followed", result.Reason);
        Assert.Empty(elsewhere.Requests);
    }
}
