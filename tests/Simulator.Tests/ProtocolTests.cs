using System.Net;
using System.Text.Json;

namespace RelayExporter.Simulator.Tests;

public sealed class ProtocolTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    [Theory]
    [InlineData("relay-a")]
    [InlineData("relay-b")]
    [InlineData("openai")]
    [InlineData("deepseek")]
    [InlineData("anthropic")]
    [InlineData("gemini")]
    public async Task Models_list_has_the_protocol_shape_and_every_model(string target)
    {
        using var response = await sim.Http.SendAsync(TestHttp.Models(sim, target));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        var expected = DefaultTargets.All.Single(t => t.Name == target).Models;

        switch (TestHttp.ProtocolOf(target))
        {
            case TargetProtocol.OpenAi:
                Assert.Equal("list", body.GetProperty("object").GetString());
                var data = body.GetProperty("data").EnumerateArray().ToList();
                Assert.Equal(expected, data.Select(m => m.GetProperty("id").GetString()));
                Assert.All(data, m =>
                {
                    Assert.Equal("model", m.GetProperty("object").GetString());
                    Assert.True(m.GetProperty("created").GetInt64() > 0);
                    Assert.False(string.IsNullOrEmpty(m.GetProperty("owned_by").GetString()));
                });
                break;
            case TargetProtocol.Anthropic:
                var models = body.GetProperty("data").EnumerateArray().ToList();
                Assert.Equal(expected, models.Select(m => m.GetProperty("id").GetString()));
                Assert.All(models, m =>
                {
                    Assert.Equal("model", m.GetProperty("type").GetString());
                    Assert.False(string.IsNullOrEmpty(m.GetProperty("display_name").GetString()));
                    Assert.True(DateTimeOffset.TryParse(m.GetProperty("created_at").GetString(), out _));
                });
                Assert.False(body.GetProperty("has_more").GetBoolean());
                Assert.Equal(expected[0], body.GetProperty("first_id").GetString());
                Assert.Equal(expected[^1], body.GetProperty("last_id").GetString());
                break;
            default:
                var list = body.GetProperty("models").EnumerateArray().ToList();
                Assert.Equal(expected.Select(m => "models/" + m), list.Select(m => m.GetProperty("name").GetString()));
                Assert.All(list, m => Assert.Equal(["generateContent", "streamGenerateContent"],
                    m.GetProperty("supportedGenerationMethods").EnumerateArray().Select(x => x.GetString())));
                break;
        }
    }

    [Theory]
    [InlineData("relay-a", "claude-sonnet-4.5")]
    [InlineData("openai", "gpt-4.1")]
    [InlineData("deepseek", "deepseek-chat")]
    public async Task OpenAi_chat_completion_is_complete(string target, string model)
    {
        using var response = await sim.Http.SendAsync(TestHttp.Chat(sim, target, model));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();

        Assert.StartsWith("chatcmpl-", body.GetProperty("id").GetString());
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.True(body.GetProperty("created").GetInt64() > 1_700_000_000);
        Assert.Equal(model, body.GetProperty("model").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("system_fingerprint").GetString()));
        var choice = body.GetProperty("choices").EnumerateArray().Single();
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal(TestHttp.Reply, choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("message").GetProperty("refusal").ValueKind);
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        var usage = body.GetProperty("usage");
        Assert.Equal(3, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(7, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(10, usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Anthropic_message_is_complete()
    {
        using var response = await sim.Http.SendAsync(TestHttp.Chat(sim, "anthropic", "claude-haiku-4.5"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();

        Assert.StartsWith("msg_", body.GetProperty("id").GetString());
        Assert.Equal("message", body.GetProperty("type").GetString());
        Assert.Equal("assistant", body.GetProperty("role").GetString());
        Assert.Equal("claude-haiku-4.5", body.GetProperty("model").GetString());
        var content = body.GetProperty("content").EnumerateArray().Single();
        Assert.Equal("text", content.GetProperty("type").GetString());
        Assert.Equal(TestHttp.Reply, content.GetProperty("text").GetString());
        Assert.Equal("end_turn", body.GetProperty("stop_reason").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("stop_sequence").ValueKind);
        Assert.Equal(3, body.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(7, body.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task Gemini_generate_content_is_complete()
    {
        using var response = await sim.Http.SendAsync(TestHttp.Chat(sim, "gemini", "gemini-2.5-pro"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();

        var candidate = body.GetProperty("candidates").EnumerateArray().Single();
        Assert.Equal("model", candidate.GetProperty("content").GetProperty("role").GetString());
        Assert.Equal(TestHttp.Reply, candidate.GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal("STOP", candidate.GetProperty("finishReason").GetString());
        Assert.Equal(0, candidate.GetProperty("index").GetInt32());
        var usage = body.GetProperty("usageMetadata");
        Assert.Equal(3, usage.GetProperty("promptTokenCount").GetInt32());
        Assert.Equal(7, usage.GetProperty("candidatesTokenCount").GetInt32());
        Assert.Equal(10, usage.GetProperty("totalTokenCount").GetInt32());
        Assert.Equal("gemini-2.5-pro", body.GetProperty("modelVersion").GetString());
    }

    [Theory]
    [InlineData("openai", "gpt-4.1-mini", "length")]
    [InlineData("anthropic", "claude-sonnet-4.5", "max_tokens")]
    [InlineData("gemini", "gemini-2.5-flash", "MAX_TOKENS")]
    public async Task Max_tokens_truncates_the_reply_and_says_so(string target, string model, string finishReason)
    {
        using var response = await sim.Http.SendAsync(TestHttp.Chat(sim, target, model, maxTokens: 3));
        var body = await response.JsonAsync();

        var (text, reason, outputTokens) = TestHttp.ProtocolOf(target) switch
        {
            TargetProtocol.OpenAi => (
                body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(),
                body.GetProperty("choices")[0].GetProperty("finish_reason").GetString(),
                body.GetProperty("usage").GetProperty("completion_tokens").GetInt32()),
            TargetProtocol.Anthropic => (
                body.GetProperty("content")[0].GetProperty("text").GetString(),
                body.GetProperty("stop_reason").GetString(),
                body.GetProperty("usage").GetProperty("output_tokens").GetInt32()),
            _ => (
                body.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString(),
                body.GetProperty("candidates")[0].GetProperty("finishReason").GetString(),
                body.GetProperty("usageMetadata").GetProperty("candidatesTokenCount").GetInt32()),
        };
        Assert.Equal("OK. This is", text);
        Assert.Equal(finishReason, reason);
        Assert.Equal(3, outputTokens);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OpenAi_stream_has_role_frame_tokens_finish_optional_usage_and_done(bool includeUsage)
    {
        using var response = await sim.Http.SendAsync(
            TestHttp.Chat(sim, "relay-b", "gpt-4.1", stream: true, includeUsage: includeUsage), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var frames = (await Sse.ReadAllAsync(response)).Select(e => e.Data!).ToList();

        Assert.Equal("[DONE]", frames[^1]);
        var chunks = frames[..^1].Select(f => JsonDocument.Parse(f).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());

        var first = chunks[0].GetProperty("choices")[0].GetProperty("delta");
        Assert.Equal("assistant", first.GetProperty("role").GetString());
        Assert.Equal("", first.GetProperty("content").GetString());

        var withChoices = chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0).ToList();
        var tokens = withChoices.Skip(1).SkipLast(1).Select(c => c.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString());
        Assert.Equal(7, tokens.Count());
        Assert.Equal(TestHttp.Reply, string.Concat(tokens));
        Assert.Equal("stop", withChoices[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());

        var usageFrames = chunks.Where(c => c.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object).ToList();
        if (includeUsage)
        {
            var usageFrame = Assert.Single(usageFrames);
            Assert.Equal(usageFrame.GetRawText(), chunks[^1].GetRawText());
            Assert.Equal(0, usageFrame.GetProperty("choices").GetArrayLength());
            Assert.Equal(7, usageFrame.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        }
        else
        {
            Assert.Empty(usageFrames);
            Assert.Equal(9, chunks.Count);
        }
    }

    [Fact]
    public async Task DeepSeek_reasoner_stream_starts_with_keep_alives_then_reasoning_then_content()
    {
        using var response = await sim.Http.SendAsync(
            TestHttp.Chat(sim, "deepseek", "deepseek-reasoner", stream: true), HttpCompletionOption.ResponseHeadersRead);
        var events = await Sse.ReadAllAsync(response);

        var firstData = events.FindIndex(e => e.Data is not null);
        Assert.True(firstData >= 1, "keep-alive comments come before the first data frame");
        Assert.All(events[..firstData], e => Assert.Equal("keep-alive", e.Comment));

        var deltas = events.Where(e => e.Data is not null and not "[DONE]")
            .Select(e => e.Json.GetProperty("choices")[0].GetProperty("delta")).ToList();
        var kinds = deltas.Skip(1).Select(d => d.TryGetProperty("reasoning_content", out _) ? "reasoning"
            : d.TryGetProperty("content", out _) ? "content" : "end").ToList();
        var firstContent = kinds.IndexOf("content");
        Assert.True(kinds.IndexOf("reasoning") == 0 && kinds.LastIndexOf("reasoning") < firstContent,
            $"reasoning deltas must precede content deltas: {string.Join(",", kinds)}");
        Assert.Equal(TestHttp.Reply, string.Concat(deltas.Where(d => d.TryGetProperty("content", out _) && !d.TryGetProperty("role", out _))
            .Select(d => d.GetProperty("content").GetString())));
        Assert.Equal("[DONE]", events[^1].Data);
    }

    [Fact]
    public async Task Anthropic_stream_sends_the_events_in_Anthropic_order()
    {
        using var response = await sim.Http.SendAsync(
            TestHttp.Chat(sim, "anthropic", "claude-sonnet-4.5", stream: true), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await Sse.ReadAllAsync(response);

        string[] expected =
        [
            "message_start", "content_block_start", "ping", .. Enumerable.Repeat("content_block_delta", 7),
            "content_block_stop", "message_delta", "message_stop",
        ];
        Assert.Equal(expected, events.Select(e => e.Event));
        Assert.All(events, e => Assert.Equal(e.Event, e.Json.GetProperty("type").GetString()));
        Assert.Equal(TestHttp.Reply, string.Concat(events.Where(e => e.Event == "content_block_delta")
            .Select(e => e.Json.GetProperty("delta").GetProperty("text").GetString())));
        var start = events[0].Json.GetProperty("message");
        Assert.StartsWith("msg_", start.GetProperty("id").GetString());
        Assert.Equal(3, start.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        var delta = events[^2].Json;
        Assert.Equal("end_turn", delta.GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.Equal(7, delta.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task Gemini_stream_ends_with_finish_reason_and_usage_then_closes_cleanly()
    {
        using var response = await sim.Http.SendAsync(
            TestHttp.Chat(sim, "gemini", "gemini-2.5-flash", stream: true), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await Sse.ReadAllAsync(response); // throws if the stream does not end cleanly

        Assert.Equal(7, events.Count);
        Assert.All(events, e => Assert.Null(e.Event));
        var chunks = events.Select(e => e.Json).ToList();
        Assert.Equal(TestHttp.Reply, string.Concat(chunks.Select(c =>
            c.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString())));
        Assert.All(chunks[..^1], c => Assert.False(c.GetProperty("candidates")[0].TryGetProperty("finishReason", out _)));
        Assert.Equal("STOP", chunks[^1].GetProperty("candidates")[0].GetProperty("finishReason").GetString());
        Assert.Equal(7, chunks[^1].GetProperty("usageMetadata").GetProperty("candidatesTokenCount").GetInt32());
    }

    [Theory]
    [InlineData("relay-a", "invalid_request_error")]
    [InlineData("deepseek", "invalid_request_error")]
    [InlineData("anthropic", "authentication_error")]
    [InlineData("gemini", "UNAUTHENTICATED")]
    public async Task Missing_credentials_get_401_in_the_provider_shape(string target, string errorType)
    {
        var model = DefaultTargets.All.Single(t => t.Name == target).Models[0];
        using var request = TestHttp.Chat(sim, target, model);
        request.Headers.Remove("Authorization");
        request.Headers.Remove("x-api-key");
        request.Headers.Remove("x-goog-api-key");
        using var response = await sim.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(errorType, TestHttp.ErrorType(target, await response.JsonAsync()));
    }

    [Fact]
    public async Task OpenAi_rejects_an_empty_bearer_token()
    {
        using var request = TestHttp.Chat(sim, "openai", "gpt-4.1");
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer ");
        using var response = await sim.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Anthropic_requires_the_version_header()
    {
        using var request = TestHttp.Chat(sim, "anthropic", "claude-sonnet-4.5");
        request.Headers.Remove("anthropic-version");
        using var response = await sim.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", TestHttp.ErrorType("anthropic", await response.JsonAsync()));
    }

    [Fact]
    public async Task Gemini_accepts_the_key_query_parameter()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, sim.Url("gemini", "/v1beta/models?key=goog-test"));
        using var response = await sim.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("relay-a", "model_not_found")]
    [InlineData("anthropic", "not_found_error")]
    [InlineData("gemini", "NOT_FOUND")]
    public async Task Unknown_model_gets_404_in_the_provider_shape(string target, string expected)
    {
        using var response = await sim.Http.SendAsync(TestHttp.Chat(sim, target, "no-such-model"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = await response.JsonAsync();
        var type = TestHttp.ErrorType(target, body);
        var actual = TestHttp.ProtocolOf(target) == TargetProtocol.OpenAi ? body.GetProperty("error").GetProperty("code").GetString() : type;
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Relay_health_document_reports_every_provider()
    {
        var body = await sim.GetJsonAsync(sim.Url("relay-a", "/health"));

        Assert.Equal("ok", body.GetProperty("status").GetString());
        var providers = body.GetProperty("providers").EnumerateObject().ToList();
        Assert.Equal(["openai", "anthropic", "google", "deepseek"], providers.Select(p => p.Name));
        Assert.All(providers, p =>
        {
            Assert.True(p.Value.GetProperty("available").GetBoolean());
            Assert.InRange(p.Value.GetProperty("latency").GetInt32(), 20, 1000);
        });
        Assert.Equal(4, body.GetProperty("active_nodes").GetInt32());
        Assert.Equal(2, body.GetProperty("queue_depth").GetInt32());
    }

    [Fact]
    public async Task Providers_serve_no_health_document()
    {
        using var response = await sim.Http.SendAsync(TestHttp.Authorized("openai", new HttpRequestMessage(HttpMethod.Get, sim.Url("openai", "/health"))));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("invalid_request_error", TestHttp.ErrorType("openai", await response.JsonAsync()));
    }

    [Theory]
    [InlineData("openai", "x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens")]
    [InlineData("anthropic", "anthropic-ratelimit-requests-remaining", "anthropic-ratelimit-tokens-remaining")]
    public async Task Rate_limit_headers_count_down_per_request(string target, string requestsHeader, string tokensHeader)
    {
        var model = DefaultTargets.All.Single(t => t.Name == target).Models[1];
        using var first = await sim.Http.SendAsync(TestHttp.Chat(sim, target, model));
        using var second = await sim.Http.SendAsync(TestHttp.Chat(sim, target, model));

        Assert.Equal(int.Parse(first.Header(requestsHeader)) - 1, int.Parse(second.Header(requestsHeader)));
        Assert.Equal(int.Parse(first.Header(tokensHeader)) - 10, int.Parse(second.Header(tokensHeader)));
        if (target == "openai")
        {
            Assert.Equal("10000", first.Header("x-ratelimit-limit-requests"));
            Assert.Matches(@"^\d+(\.\d+)?(ms|s)$", first.Header("x-ratelimit-reset-requests"));
        }
        else
        {
            Assert.Equal("10000", first.Header("anthropic-ratelimit-requests-limit"));
        }
    }
}
