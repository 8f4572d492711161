using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Protocols;
using RelayExporter.Tests.Infrastructure;
using RelayExporter.Outcomes;

namespace RelayExporter.Tests.Probing;

/// <summary>
/// Upstreams whose answer looks like one thing and is another end in the outcome of what happened, with a reason that
/// says it — never an internal exception, never an error logged with a stack trace.
/// </summary>
public sealed class OutcomeVerdictTests
{
    private const string KeyVariable = "VERDICT_TEST_KEY";
    // Every answer here is instant; the budget only has to outlast a starved machine (a 1 s one ran out at load 56 on 2 cores).
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    static OutcomeVerdictTests() => Environment.SetEnvironmentVariable(KeyVariable, "sk-verdict-test");

    [Theory]
    [InlineData("openai", "chat", "no-such-model", "gpt-4.1-mini")]
    [InlineData("openai", "stream", "no-such-model", "gpt-4.1-mini")]
    [InlineData("anthropic", "chat", "no-such-model", "claude-haiku-4-5-20251001")]
    [InlineData("anthropic", "stream", "no-such-model", "claude-haiku-4-5-20251001")]
    [InlineData("gemini", "chat", "no-such-model", "gemini-2.5-flash")]
    [InlineData("gemini", "stream", "no-such-model", "gemini-2.5-flash")]
    public async Task Another_models_answer_is_a_substitution(string protocol, string check, string requested, string answering)
    {
        await using var upstream = await LoopbackServer.StartAsync(context => Answer(context, protocol, check == "stream", answering));
        using var rig = Rig(upstream.Url, protocol, check, requested);

        var result = await rig.ProbeAsync("target", check, requested);

        AssertVerdict(rig, result, ProbeOutcome.ModelSubstituted, $"asked for {requested}, answered by {answering}");
    }

    [Theory]
    [InlineData("openai", "gpt-4.1", "gpt-4.1-2025-04-14")]
    [InlineData("anthropic", "claude-sonnet-4-5", "claude-sonnet-4-5-20250929")]
    [InlineData("gemini", "gemini-2.5-flash", "models/gemini-2.5-flash")]
    public async Task A_dated_or_prefixed_name_of_the_model_asked_for_is_no_substitution(string protocol, string requested, string answering)
    {
        await using var upstream = await LoopbackServer.StartAsync(context => Answer(context, protocol, stream: true, answering));
        using var rig = Rig(upstream.Url, protocol, CheckKinds.Stream.Name, requested);

        var result = await rig.ProbeAsync("target", CheckKinds.Stream.Name, requested);

        AssertVerdict(rig, result, ProbeOutcome.Success, "answered \"OK\"");
    }

    [Theory]
    [InlineData("gpt-4.1", "gpt-4.1-2025-04-14", true)]
    [InlineData("claude-sonnet-4-5", "claude-sonnet-4-5-20250929", true)]
    [InlineData("claude-sonnet-4.5", "claude-sonnet-4-5-20250929", true)]
    [InlineData("claude-3-5-sonnet-latest", "claude-3-5-sonnet-20241022", true)]
    [InlineData("gemini-1.5-flash", "gemini-1.5-flash-002", true)]
    [InlineData("gemini-flash-latest", "gemini-2.5-flash-preview-09-2025", true)]
    [InlineData("chatgpt-4o-latest", "chatgpt-4o-latest", true)]
    [InlineData("gemini-flash-latest", "gemini-2.5-pro", false)]
    [InlineData("gemini-2.5-flash", "models/gemini-2.5-flash", true)]
    [InlineData("GPT-4.1", "gpt-4.1", true)]
    [InlineData("gpt-4.1", "gpt-4.1-mini", false)]
    [InlineData("gpt-4", "gpt-4.1", false)]
    [InlineData("gpt-4o", "gpt-4o-mini-2024-07-18", false)]
    [InlineData("claude-sonnet-4", "claude-sonnet-4-5", false)]
    [InlineData("no-such-model", "gpt-4.1", false)]
    public void Versions_and_prefixes_name_the_same_model_and_nothing_else_does(string requested, string answered, bool same) =>
        Assert.Equal(same, ModelNames.IsSame(requested, answered));

    [Fact]
    public async Task A_wrong_url_404_that_mentions_models_is_a_client_error()
    {
        await using var upstream = await LoopbackServer.StartAsync(context =>
        {
            context.Response.StatusCode = 404;
            return context.Response.WriteAsJsonAsync(new { error = new { message = $"Invalid URL (GET {context.Request.Path}); see the models endpoint", type = "invalid_request_error" } });
        });
        // The base_url that --config.check now refuses: every request goes to /v1/v1/….
        using var rig = Rig(new Uri(upstream.Url, "/v1"), "openai", CheckKinds.Models.Name);

        var result = await rig.ProbeAsync("target", CheckKinds.Models.Name);

        AssertVerdict(rig, result, ProbeOutcome.ClientError, "HTTP 404: not found at /v1/v1/models: ");
    }

    [Theory]
    [InlineData("""{"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}}""")]
    [InlineData("""{"type":"error","error":{"type":"not_found_error","message":"model: gpt-9"}}""")]
    [InlineData("""{"error":{"message":"no such model","code":"model_not_found"}}""")]
    public async Task A_404_that_says_the_model_does_not_exist_is_model_missing(string body)
    {
        await using var upstream = await LoopbackServer.StartAsync(context =>
        {
            context.Response.StatusCode = 404;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(body);
        });
        using var rig = Rig(upstream.Url, "openai", CheckKinds.Chat.Name, "gpt-9");

        var result = await rig.ProbeAsync("target", CheckKinds.Chat.Name, "gpt-9");

        AssertVerdict(rig, result, ProbeOutcome.ModelMissing, "HTTP 404: {");
    }

    [Fact]
    public async Task A_status_outside_100_to_599_is_an_invalid_response()
    {
        await using var upstream = await LoopbackServer.StartAsync(context =>
        {
            context.Response.StatusCode = 999;
            return context.Response.WriteAsync("strange");
        });
        using var rig = Rig(upstream.Url, "openai", CheckKinds.Models.Name);

        var result = await rig.ProbeAsync("target", CheckKinds.Models.Name);

        AssertVerdict(rig, result, ProbeOutcome.InvalidResponse, "HTTP 999 is not a status (100–599): strange");
    }

    [Theory]
    [InlineData("/x", "HTTP 302 redirect to /x not followed")]
    [InlineData("/v1/models?page=2", "HTTP 302 redirect to /v1/models not followed")]
    [InlineData("/v1/models", "HTTP 302 redirect to /v1/models (the requested URL itself) not followed")]
    [InlineData("{self}", "HTTP 302 redirect to {self} (the requested URL itself) not followed")]
    public async Task A_relative_or_looping_redirect_is_named_not_followed(string location, string reason)
    {
        await using var upstream = await LoopbackServer.StartAsync(context =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = location.Replace("{self}", $"http://{context.Request.Host}/v1/models");
            return Task.CompletedTask;
        });
        using var rig = Rig(upstream.Url, "openai", CheckKinds.Models.Name);

        var result = await rig.ProbeAsync("target", CheckKinds.Models.Name);

        AssertVerdict(rig, result, ProbeOutcome.InvalidResponse, reason.Replace("{self}", upstream.Url.GetLeftPart(UriPartial.Authority) + "/v1/models"));
    }

    [Fact]
    public async Task Invalid_utf8_in_the_models_list_is_named_with_its_offset()
    {
        byte[] body = [.. "{\"data\":[{\"id\":\""u8, 0xC3, 0x28, .. "\"}]}"u8];
        await using var upstream = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(body);
        });
        using var rig = Rig(upstream.Url, "openai", CheckKinds.Models.Name);

        var result = await rig.ProbeAsync("target", CheckKinds.Models.Name);

        AssertVerdict(rig, result, ProbeOutcome.InvalidResponse, "invalid UTF-8 in the models list at byte 16");
    }

    [Theory]
    [InlineData("openai", "", """{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}""", ProbeOutcome.AuthError)]
    [InlineData("openai", "", """{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""", ProbeOutcome.RateLimited)]
    [InlineData("openai", "", """{"error":{"message":"The server is overloaded","type":"server_error","code":"overloaded"}}""", ProbeOutcome.Overloaded)]
    [InlineData("openai", "", """{"error":{"message":"Something broke","type":"server_error","code":null}}""", ProbeOutcome.StreamError)]
    [InlineData("anthropic", "error", """{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}""", ProbeOutcome.AuthError)]
    [InlineData("anthropic", "error", """{"type":"error","error":{"type":"permission_error","message":"not allowed"}}""", ProbeOutcome.AuthError)]
    [InlineData("gemini", "", """{"error":{"code":401,"message":"API key not valid","status":"UNAUTHENTICATED"}}""", ProbeOutcome.AuthError)]
    [InlineData("gemini", "", """{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}""", ProbeOutcome.Overloaded)]
    public async Task An_error_event_in_a_stream_is_the_failure_it_names(string protocol, string eventType, string data, ProbeOutcome outcome)
    {
        await using var upstream = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync((eventType.Length > 0 ? $"event: {eventType}\n" : "") + $"data: {data}\n\n");
        });
        using var rig = Rig(upstream.Url, protocol, CheckKinds.Stream.Name, "model-a");

        var result = await rig.ProbeAsync("target", CheckKinds.Stream.Name, "model-a");

        AssertVerdict(rig, result, outcome, "error event after 0 events: ");
    }

    [Fact]
    public async Task A_stream_of_keep_alives_only_is_a_timeout()
    {
        await using var upstream = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            while (!context.RequestAborted.IsCancellationRequested)
            {
                await context.Response.WriteAsync(": keep-alive\n\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(100, context.RequestAborted);
            }
        });
        using var rig = Rig(upstream.Url, "openai", CheckKinds.Stream.Name, "gpt-4.1", timeout: TimeSpan.FromSeconds(1));

        var result = await rig.ProbeAsync("target", CheckKinds.Stream.Name, "gpt-4.1");

        AssertVerdict(rig, result, ProbeOutcome.Timeout, "no token within the 1s timeout, ");
        var keepAlives = int.Parse(Regex.Match(result.Reason, @"timeout, (\d+) keep-alives$").Groups[1].Value);
        Assert.InRange(keepAlives, 1, 20);
    }

    [Fact]
    public async Task Tokens_that_all_arrive_in_one_frame_have_no_time_per_token()
    {
        await using var upstream = await LoopbackServer.StartAsync(context => Answer(context, "openai", stream: true, "gpt-4.1",
            text: "OK, all of it at once", outputTokens: 7));
        using var rig = Rig(upstream.Url, "openai", CheckKinds.Stream.Name, "gpt-4.1");

        var result = await rig.ProbeAsync("target", CheckKinds.Stream.Name, "gpt-4.1");

        AssertVerdict(rig, result, ProbeOutcome.Success, "answered");
        Assert.Equal(7, result.Generation!.Usage!.OutputTokens);
        Assert.NotNull(result.Generation.TimeToFirstToken);
        Assert.Null(result.Generation.TimePerOutputToken);
    }

    private static void AssertVerdict(ProbeRig rig, ProbeResult result, ProbeOutcome outcome, string reasonStart)
    {
        Assert.True(result.Outcome == outcome && result.Reason.StartsWith(reasonStart, StringComparison.Ordinal),
            $"expected {outcome.Label()} \"{reasonStart}…\", got {result.Outcome.Label()}: {result.Reason}");
        Assert.DoesNotContain(rig.Logs.Entries, e => e.Level >= LogLevel.Error || e.Exception is not null);
    }

    /// <summary>A complete answer of the protocol, in one piece or streamed, naming <paramref name="model"/> as the one answering.</summary>
    private static Task Answer(HttpContext context, string protocol, bool stream, string model, string text = "OK", int outputTokens = 1)
    {
        static string Data(object frame) => $"data: {JsonSerializer.Serialize(frame)}\n\n";
        static string Event(string type, object frame) => $"event: {type}\n{Data(frame)}";
        context.Response.ContentType = stream ? "text/event-stream" : "application/json";
        var body = (protocol, stream) switch
        {
            ("openai", false) => JsonSerializer.Serialize(new
            {
                id = "c1", @object = "chat.completion", model,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 5, completion_tokens = outputTokens },
            }),
            ("openai", true) =>
                Data(new { id = "c1", model, choices = new[] { new { index = 0, delta = new { role = "assistant" } } } })
                + Data(new { id = "c1", model, choices = new[] { new { index = 0, delta = new { content = text }, finish_reason = "stop" } } })
                + Data(new { id = "c1", model, choices = Array.Empty<object>(), usage = new { prompt_tokens = 5, completion_tokens = outputTokens } })
                + "data: [DONE]\n\n",
            ("anthropic", false) => JsonSerializer.Serialize(new
            {
                id = "m1", type = "message", role = "assistant", model, content = new[] { new { type = "text", text } },
                stop_reason = "end_turn", usage = new { input_tokens = 5, output_tokens = outputTokens },
            }),
            ("anthropic", true) =>
                Event("message_start", new { type = "message_start", message = new { id = "m1", type = "message", role = "assistant", model, content = Array.Empty<object>(), usage = new { input_tokens = 5, output_tokens = 1 } } })
                + Event("content_block_delta", new { type = "content_block_delta", index = 0, delta = new { type = "text_delta", text } })
                + Event("message_delta", new { type = "message_delta", delta = new { stop_reason = "end_turn" }, usage = new { output_tokens = outputTokens } })
                + Event("message_stop", new { type = "message_stop" }),
            _ => Gemini(stream),
        };
        return context.Response.WriteAsync(body);

        string Gemini(bool streamed)
        {
            var chunk = new
            {
                candidates = new[] { new { content = new { role = "model", parts = new[] { new { text } } }, finishReason = "STOP" } },
                usageMetadata = new { promptTokenCount = 5, candidatesTokenCount = outputTokens },
                modelVersion = model,
            };
            return streamed ? Data(chunk) : JsonSerializer.Serialize(chunk);
        }
    }

    private static ProbeRig Rig(Uri url, string protocol, string check, string model = "gpt-4.1", TimeSpan? timeout = null) => new(new ExporterOptions
    {
        Targets =
        [
            new TargetOptions
            {
                Name = "target", Protocol = Enum.Parse<ProtocolKind>(protocol, ignoreCase: true), BaseUrl = url.ToString(), Models = [model],
                Credential = new CredentialOptions { Env = KeyVariable },
                Checks = new() { [check] = new CheckOptions { Interval = TimeSpan.FromMinutes(1), Timeout = timeout ?? Timeout } },
            },
        ],
    });
}
