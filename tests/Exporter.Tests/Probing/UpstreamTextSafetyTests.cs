using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Probing;

/// <summary>
/// What a hostile upstream writes reaches the log, the debug trace, /api/v1/targets and /metrics only cleaned: no secret
/// or part of one, no control character, no number that is not a measurement. Each test runs the real exporter
/// against its own hostile upstream on loopback.
/// </summary>
[Collection(ExporterHostCollection.Name)]
public sealed class UpstreamTextSafetyTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_key_echoed_across_the_excerpt_cut_of_a_401_body_shows_no_part_of_it()
    {
        var key = RandomSecret("sk-");
        await using var upstream = await LoopbackServer.StartAsync(async context =>
        {
            var sent = context.Request.Headers.Authorization.ToString()["Bearer ".Length..];
            context.Response.StatusCode = 401;
            // The key straddles the 512th character of the body, where the excerpt is cut.
            await context.Response.WriteAsync(new string('x', 495) + " " + sent + " is not a valid key");
        });
        using var env = new EnvironmentScope([new("TEXT_SAFETY_KEY", key)]);
        var logs = new TestLoggerProvider();
        await using var exporter = await StartAsync($$"""
            - {{Target("echo", upstream.Url)}}, credential: { env: TEXT_SAFETY_KEY }, checks: { models: { interval: 1s, timeout: 1s } } }
            """, logs);

        await FailedProbeLoggedAsync(logs, "echo/models");
        var shown = await EverythingShownAsync(exporter, logs, "/probe?target=echo&check=models&debug=true");

        Assert.Contains(upstream.Requests, r => r["Authorization"] == $"Bearer {key}"); // it was sent, and echoed back
        Assert.Contains(shown, text => text.Contains("auth_error") && text.Contains(new string('x', 495)));
        Assert.All(shown, text => AssertNoPartOf(key, text));
    }

    [Fact]
    public async Task A_key_at_the_cut_of_a_quoted_chat_answer_shows_no_part_of_it()
    {
        var key = RandomSecret("sk-");
        await using var upstream = await LoopbackServer.StartAsync(async context =>
        {
            var sent = context.Request.Headers.Authorization.ToString()["Bearer ".Length..];
            // The answer is quoted up to its 80th character: the key starts 20 characters before that.
            var answer = new string('y', 60) + sent + " and more";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new
            {
                choices = new[] { new { message = new { role = "assistant", content = answer }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 3, completion_tokens = 2 },
            }));
        });
        var adminToken = RandomSecret("admin-");
        using var env = new EnvironmentScope([new("TEXT_SAFETY_KEY", key), new("TEXT_SAFETY_ADMIN", adminToken)]);
        var logs = new TestLoggerProvider();
        await using var exporter = await StartAsync($$"""
            - {{Target("chatty", upstream.Url)}}, credential: { env: TEXT_SAFETY_KEY }, models: [gpt-4.1], checks: { chat: { interval: 1s, timeout: 1s, expect: "banana" } } }
            admin: { token: { env: TEXT_SAFETY_ADMIN } }
            """, logs);

        await FailedProbeLoggedAsync(logs, "chatty/chat/gpt-4.1");
        var shown = await EverythingShownAsync(exporter, logs, "/probe?target=chatty&check=chat&model=gpt-4.1&debug=true", adminToken);

        Assert.Contains(shown, text => text.Contains("content_mismatch") && text.Contains(new string('y', 60)));
        Assert.All(shown, text => AssertNoPartOf(key, text));
    }

    [Fact]
    public async Task A_provider_named_after_a_secret_is_refused_and_counted()
    {
        var key = RandomSecret("sk-");
        var adminToken = RandomSecret("admin-");
        await using var upstream = await LoopbackServer.StartAsync(async context =>
        {
            if (context.Request.Path != "/health") { context.Response.StatusCode = 404; return; }
            context.Response.ContentType = "application/json";
            // A relay that was sent the key names providers after it, after part of it, and after the admin token.
            await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["status"] = "ok",
                ["providers"] = new Dictionary<string, object>
                {
                    [key] = new { available = true, latency = 12 },
                    [key[5..17]] = true,
                    [adminToken] = true,
                    ["openai"] = new { available = true, latency = 20 },
                },
            }));
        });
        using var env = new EnvironmentScope([new("TEXT_SAFETY_KEY", key), new("TEXT_SAFETY_ADMIN", adminToken)]);
        var logs = new TestLoggerProvider();
        await using var exporter = await StartAsync($$"""
            - {{Target("named", upstream.Url)}}, kind: relay, credential: { env: TEXT_SAFETY_KEY }, checks: { health: { interval: 1s, timeout: 1s } } }
            admin: { token: { env: TEXT_SAFETY_ADMIN } }
            """, logs);
        using var client = exporter.CreateClient();

        var metrics = await Eventually.GetAsync(async () => ScrapedMetrics.Parse(await client.GetStringAsync("/metrics")) is var m
                && m.Find("relay_upstream_values_refused_total", ("reason", "secret"), ("target", "named")) is { Value: >= 3 } ? m : null,
            Deadline, "the three provider names that carry a secret to be refused");
        var shown = await EverythingShownAsync(exporter, logs, "/probe?target=named&check=health&debug=true");

        Assert.Equal(1, metrics.Find("relay_upstream_available", ("provider", "openai"), ("target", "named"))?.Value);
        Assert.Single(metrics.Named("relay_upstream_available"));
        Assert.Equal(3, metrics.Find("relay_health_document_problems", ("target", "named"))?.Value);
        // The debug trace quotes the body as the relay sent it, redacted; nothing else shows any part of either secret.
        Assert.Contains(shown, text => text.Contains("a provider name carries a credential"));
        Assert.All(shown, text => AssertNoPartOf(key, text));
        Assert.All(shown, text => AssertNoPartOf(adminToken, text));
    }

    [Fact]
    public async Task Numbers_that_are_not_measurements_are_document_problems_not_series()
    {
        await using var upstream = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""
                {"status":"ok","active_nodes":2,"queue_depth":-1,
                 "providers":{"openai":{"available":true,"latency":1e309},"anthropic":{"available":true,"latency":-5},"gemini":{"available":true,"latency":"NaN"}}}
                """);
        });
        var logs = new TestLoggerProvider();
        await using var exporter = await StartAsync($$"""
            - {{Target("numbers", upstream.Url)}}, kind: relay, checks: { health: { interval: 1s, timeout: 1s } } }
            """, logs);
        using var client = exporter.CreateClient();

        var metrics = await Eventually.GetAsync(async () => ScrapedMetrics.Parse(await client.GetStringAsync("/metrics")) is var m
            && m.Find("relay_active_nodes", ("target", "numbers")) is not null ? m : null, Deadline, "the health document to be read");
        var api = await client.GetStringAsync("/api/v1/targets");
        var debug = await client.GetStringAsync("/probe?target=numbers&check=health&debug=true");

        Assert.Equal(2, metrics.Find("relay_active_nodes", ("target", "numbers"))!.Value);
        Assert.Null(metrics.Find("relay_queue_depth", ("target", "numbers")));
        Assert.Empty(metrics.Named("relay_upstream_latency_seconds"));
        Assert.Equal(3, metrics.Named("relay_upstream_available").Count(s => s.Value == 1));
        Assert.Equal(4, metrics.Find("relay_health_document_problems", ("target", "numbers"))!.Value);
        Assert.DoesNotContain("latency_seconds\":-", api);
        Assert.Contains("provider openai: latency 1e309 is not a number from 0 to 3600000", debug);
        Assert.Contains("provider anthropic: latency -5 is not a number from 0 to 3600000", debug);
        Assert.Contains("queue_depth -1 is not a number from 0", debug);
    }

    [Fact]
    public async Task Control_characters_in_an_sse_error_message_are_escaped_everywhere()
    {
        await using var upstream = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            var error = JsonSerializer.Serialize(new { error = new { type = "server_error", message = "boom\0\u001b[2J\u001b[31m\ninfo: RelayExporter.Probing.ProbeHandler[0] Probe forged/models ended success" } });
            await context.Response.WriteAsync($"data: {error}\n\n");
        });
        var adminToken = RandomSecret("admin-");
        using var env = new EnvironmentScope([new("TEXT_SAFETY_ADMIN", adminToken)]);
        var logs = new TestLoggerProvider();
        await using var exporter = await StartAsync($$"""
            - {{Target("sse", upstream.Url)}}, models: [gpt-4.1], checks: { stream: { interval: 1s, timeout: 1s } } }
            admin: { token: { env: TEXT_SAFETY_ADMIN } }
            """, logs);

        await FailedProbeLoggedAsync(logs, "sse/stream/gpt-4.1");
        var shown = await EverythingShownAsync(exporter, logs, "/probe?target=sse&check=stream&model=gpt-4.1&debug=true", adminToken);

        Assert.Contains(shown, text => text.Contains(@"boom\u0000\u001b[2J\u001b[31m\ninfo: RelayExporter"));
        Assert.All(shown, AssertNoUpstreamControlCharacters);
    }

    [Fact]
    public async Task Control_characters_in_a_non_http_answer_are_escaped_everywhere()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var answering = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var connection = await listener.AcceptTcpClientAsync(stop.Token);
                var stream = connection.GetStream();
                await stream.ReadAtLeastAsync(new byte[4096], 1, throwOnEndOfStream: false, stop.Token);
                await stream.WriteAsync("\0\0\u001b]0;owned\u0007\u001b[2J\nHTTP/1.1 200 OK\r\n\r\n"u8.ToArray(), stop.Token);
            }
        });
        var logs = new TestLoggerProvider();
        var url = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        await using (var exporter = await StartAsync($$"""
            - {{Target("raw", url)}}, checks: { models: { interval: 1s, timeout: 1s } } }
            """, logs))
        {
            await FailedProbeLoggedAsync(logs, "raw/models");
            var shown = await EverythingShownAsync(exporter, logs, "/probe?target=raw&check=models&debug=true");

            Assert.Contains(shown, text => text.Contains("invalid_response") && text.Contains(@"\u0000"));
            Assert.All(shown, AssertNoUpstreamControlCharacters);
        }
        await stop.CancelAsync();
        listener.Stop();
        await Assert.ThrowsAnyAsync<Exception>(() => answering);
    }

    private static string Target(string name, Uri url) => $"{{ name: {name}, protocol: openai, base_url: \"{url}\"";

    private static Task<ExporterHost> StartAsync(string targets, TestLoggerProvider logs) =>
        ExporterHost.StartAsync("targets:\n" + targets, logs: logs, logLevel: LogLevel.Debug);

    private static Task FailedProbeLoggedAsync(TestLoggerProvider logs, string probe) =>
        Eventually.UntilAsync(() => logs.Entries.Any(e => e.Message.StartsWith($"Probe {probe} ended ", StringComparison.Ordinal)), Deadline, $"probe {probe} to fail");

    /// <summary>The debug trace, every text of /api/v1/targets (decoded), /metrics and every log line.</summary>
    /// <param name="adminToken">Sent with the debug probe: chat and stream probes cost money and need it.</param>
    private static async Task<List<string>> EverythingShownAsync(ExporterHost exporter, TestLoggerProvider logs, string debugQuery, string? adminToken = null)
    {
        using var client = exporter.CreateClient();
        if (adminToken is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", adminToken);
        var shown = new List<string> { await client.GetStringAsync(debugQuery), await client.GetStringAsync("/metrics") };
        using var api = JsonDocument.Parse(await client.GetStringAsync("/api/v1/targets"));
        shown.AddRange(Strings(api.RootElement));
        shown.AddRange(logs.Entries.Select(e => $"{e.Message} {e.Exception}"));
        return shown;
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        _ => [],
    };

    /// <summary>Letters no hex number, word or label of ours is made of: any six of them in a row come from the secret.</summary>
    private static string RandomSecret(string prefix) =>
        prefix + new string(Enumerable.Range(0, 32).Select(_ => "GHJKLMNPQRSTVWXZ"[Random.Shared.Next(16)]).ToArray());

    private static void AssertNoPartOf(string secret, string text)
    {
        for (var i = 0; i + 6 <= secret.Length; i++)
            Assert.False(text.Contains(secret.Substring(i, 6), StringComparison.Ordinal), $"\"{secret.Substring(i, 6)}\" of the secret is shown in: {text}");
    }

    /// <summary>Line breaks belong to the debug trace's own layout; anything else below a space, or DEL, came from the upstream.</summary>
    private static void AssertNoUpstreamControlCharacters(string text)
    {
        Assert.DoesNotContain(text, c => c < ' ' && c != '\n' || c == '\u007f');
        Assert.DoesNotContain(text.Split('\n'), line => line.StartsWith("info: RelayExporter", StringComparison.Ordinal));
    }
}
