using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Probing;

/// <summary>A target that answers 429 with Retry-After is paused, and shows as rate limited while it is, in the running exporter.</summary>
[Collection(ExporterHostCollection.Name)]
public class RateLimitStateTests
{
    [Fact]
    public async Task A_rate_limited_paid_check_makes_the_target_degraded_at_once_and_every_paused_series_counts_its_skips()
    {
        var chatAnswered = new ConcurrentQueue<DateTimeOffset>();
        await using var relay = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            switch (context.Request.Path.Value)
            {
                case "/health":
                    await context.Response.WriteAsync("""{"status":"ok"}""");
                    break;
                case "/v1/models":
                    await context.Response.WriteAsync("""{"object":"list","data":[{"id":"gpt-4.1"}]}""");
                    break;
                default:
                    context.Response.StatusCode = 429;
                    context.Response.Headers.RetryAfter = "8";
                    await context.Response.WriteAsync("""{"error":{"message":"Rate limit reached","type":"rate_limit_error"}}""");
                    await context.Response.CompleteAsync();
                    chatAnswered.Enqueue(DateTimeOffset.UtcNow);
                    break;
            }
        });
        using var key = new EnvironmentScope([new("RATE_LIMIT_STATE_TEST_KEY", "sk-rate-limit")]);
        await using var exporter = await ExporterHost.StartAsync($$"""
            targets:
              - name: relay
                kind: relay
                protocol: openai
                base_url: "{{relay.Url}}"
                credential: { env: RATE_LIMIT_STATE_TEST_KEY }
                models: [gpt-4.1]
                checks: { health: {}, models: {}, chat: { interval: 10s, timeout: 5s } }
            """);
        using var client = exporter.CreateClient();

        await Eventually.UntilAsync(() => !chatAnswered.IsEmpty, TimeSpan.FromSeconds(15), "the chat probe's 429");
        // Well inside the 8 s pause, in which no probe of the target reports anything.
        await Eventually.UntilAsync(async () => (await TargetAsync(client)).GetProperty("state").GetString() == "degraded",
            TimeSpan.FromSeconds(2), "the target to turn degraded");
        var target = await TargetAsync(client);
        Assert.Contains("chat: rate_limited (Retry-After 8s): probes wait until", target.GetProperty("state_reason").GetString());

        // Every series of the target falls due in the pause: health and models (every 3 s), the chat probe's confirmation (1 s).
        await Eventually.UntilAsync(async () =>
        {
            var metrics = await ScrapedMetrics.ScrapeAsync(client);
            return new[] { "health", "models", "chat" }.All(check =>
                metrics.Named("relay_probes_skipped_total").Any(s => s.Labels["target"] == "relay" && s.Labels["check"] == check && s.Labels["reason"] == "retry_after" && s.Value >= 1));
        }, TimeSpan.FromSeconds(12), "skips of the health, models and chat series");
    }

    [Fact]
    public async Task A_retry_after_longer_than_max_retry_after_pauses_the_target_only_that_long()
    {
        var requests = new ConcurrentQueue<DateTimeOffset>();
        await using var provider = await LoopbackServer.StartAsync(async context =>
        {
            requests.Enqueue(DateTimeOffset.UtcNow);
            context.Response.ContentType = "application/json";
            if (requests.Count == 1)
            {
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "3600"; // an hour: a hostile or broken value
                await context.Response.WriteAsync("""{"error":{"message":"slow down"}}""");
                return;
            }
            await context.Response.WriteAsync("""{"object":"list","data":[{"id":"gpt-4.1"}]}""");
        });
        using var key = new EnvironmentScope([new("RATE_LIMIT_STATE_TEST_KEY", "sk-rate-limit")]);
        await using var exporter = await ExporterHost.StartAsync($$"""
            probing: { max_retry_after: 2s }
            targets:
              - { name: provider, protocol: openai, base_url: "{{provider.Url}}", credential: { env: RATE_LIMIT_STATE_TEST_KEY }, models: [gpt-4.1], checks: { models: { interval: 1s, timeout: 1s } } }
            """);

        await Eventually.UntilAsync(() => requests.Count >= 2, TimeSpan.FromSeconds(10), "a probe after the capped pause");

        var times = requests.ToArray();
        Assert.InRange(times[1] - times[0], TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(4));
    }

    private static async Task<JsonElement> TargetAsync(HttpClient client) =>
        JsonDocument.Parse(await client.GetStringAsync("/api/v1/targets")).RootElement.GetProperty("targets")[0].Clone();
}
