using System.Text.Json;
using System.Text.Json.Nodes;

namespace RelayExporter.Simulator;

/// <summary>Anthropic's Messages API.</summary>
internal sealed class AnthropicProtocol : IProtocol
{
    private const string ModelsCreatedAt = "2025-09-29T00:00:00Z";

    public string? ModelOf(SimRequest request) => request.BodyString("model");

    public bool IsStream(SimRequest request) => request.BodyFlag("stream");

    public bool HasCredentials(SimRequest request) =>
        request.Header("x-api-key") is not null || request.Header("Authorization") is not null;

    public SseFrame StreamErrorFrame { get; } = SseFrame.Data(ErrorBody(ErrorKind.Overloaded, null), "error");

    public SimResponse Handle(SimRequest request, TargetContext target)
    {
        // Recent Anthropic SDKs send the API key as a bearer token instead of x-api-key; both are accepted.
        if (!target.KeyChecked && string.IsNullOrEmpty(request.Header("x-api-key")) && !OpenAiProtocol.HasBearerToken(request))
            return Error(ErrorKind.Unauthorized, "x-api-key header is required");
        if (string.IsNullOrEmpty(request.Header("anthropic-version")))
            return Error(ErrorKind.BadRequest, "anthropic-version: header is required");
        return (request.Method, request.Path) switch
        {
            ("GET", "/v1/models") => Models(target),
            ("POST", "/v1/messages") => Messages(request, target),
            _ => Error(ErrorKind.NotFound, "Not found"),
        };
    }

    public BodyResponse Error(ErrorKind kind, string? message = null) =>
        BodyResponse.Json(IProtocol.StatusOf(kind), ErrorBody(kind, message));

    public void AddRateLimitHeaders(IDictionary<string, string> headers, RateLimitSnapshot s)
    {
        var reset = DateTimeOffset.UtcNow.Add(s.ResetIn).ToString("yyyy-MM-ddTHH:mm:ssZ");
        headers["anthropic-ratelimit-requests-limit"] = s.RequestLimit.ToString();
        headers["anthropic-ratelimit-requests-remaining"] = s.RequestsRemaining.ToString();
        headers["anthropic-ratelimit-requests-reset"] = reset;
        headers["anthropic-ratelimit-tokens-limit"] = s.TokenLimit.ToString();
        headers["anthropic-ratelimit-tokens-remaining"] = s.TokensRemaining.ToString();
        headers["anthropic-ratelimit-tokens-reset"] = reset;
    }

    private static BodyResponse Models(TargetContext target)
    {
        var models = target.ListedModels.ToList();
        return BodyResponse.Json(200, new JsonObject
        {
            ["data"] = new JsonArray([.. models.Select(m => (JsonNode)new JsonObject
            {
                ["type"] = "model",
                ["id"] = m,
                ["display_name"] = Wire.DisplayName(m),
                ["created_at"] = ModelsCreatedAt,
            })]),
            ["has_more"] = false,
            ["first_id"] = models.FirstOrDefault(),
            ["last_id"] = models.LastOrDefault(),
        });
    }

    private SimResponse Messages(SimRequest request, TargetContext target)
    {
        if (request.Body is not { ValueKind: JsonValueKind.Object })
            return Error(ErrorKind.BadRequest, "The request body is not valid JSON.");
        var model = ModelOf(request);
        if (model is null)
            return Error(ErrorKind.BadRequest, "model: Field required");
        var (maxTokens, badMax) = Wire.PositiveInt(request.Body, "max_tokens");
        if (maxTokens is null)
            return Error(ErrorKind.BadRequest, badMax ? "max_tokens: must be a positive integer" : "max_tokens: Field required");
        if (Wire.Property(request.Body, "messages") is not { ValueKind: JsonValueKind.Array } messages)
            return Error(ErrorKind.BadRequest, "messages: Field required");
        if (!target.Serves(model))
            return Error(ErrorKind.UnknownModel, $"model: {model}");

        var system = Wire.Property(request.Body, "system");
        var inputTokens = Reply.CountWords(messages, "content", "text") + (system is { } s ? Reply.CountWords(s, "text") : 0);
        var message = new Message(Wire.NewId("msg_01"), target.AnsweringFor(model), Reply.For(maxTokens), inputTokens);
        return IsStream(request)
            ? new StreamResponse(StreamFrames(message), StreamErrorFrame) { Tokens = message.TotalTokens }
            : BodyResponse.Json(200, message.ToJson(), message.TotalTokens);
    }

    private static List<SseFrame> StreamFrames(Message m)
    {
        var start = m.ToJson(streaming: true);
        var frames = new List<SseFrame>
        {
            SseFrame.Data(new JsonObject { ["type"] = "message_start", ["message"] = start }, "message_start"),
            SseFrame.Data(new JsonObject
            {
                ["type"] = "content_block_start",
                ["index"] = 0,
                ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" },
            }, "content_block_start"),
            SseFrame.Data(new JsonObject { ["type"] = "ping" }, "ping"),
        };
        frames.AddRange(m.Reply.Tokens.Select(t => SseFrame.Data(new JsonObject
        {
            ["type"] = "content_block_delta",
            ["index"] = 0,
            ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = t },
        }, "content_block_delta")));
        frames.Add(SseFrame.Data(new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 }, "content_block_stop"));
        frames.Add(SseFrame.Data(new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = m.StopReason, ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = m.Reply.Tokens.Count },
        }, "message_delta"));
        frames.Add(SseFrame.Data(new JsonObject { ["type"] = "message_stop" }, "message_stop"));
        return frames;
    }

    private static JsonObject ErrorBody(ErrorKind kind, string? message) => new()
    {
        ["type"] = "error",
        ["error"] = new JsonObject
        {
            ["type"] = kind switch
            {
                ErrorKind.BadRequest => "invalid_request_error",
                ErrorKind.Unauthorized => "authentication_error",
                ErrorKind.UnknownModel or ErrorKind.NotFound => "not_found_error",
                ErrorKind.RateLimited => "rate_limit_error",
                ErrorKind.Overloaded => "overloaded_error",
                _ => "api_error",
            },
            ["message"] = message ?? kind switch
            {
                ErrorKind.Unauthorized => "invalid x-api-key",
                ErrorKind.RateLimited => "Number of requests has exceeded your rate limit. Please try again later.",
                ErrorKind.Overloaded => "Overloaded",
                ErrorKind.BadGateway => "Bad gateway",
                ErrorKind.Unavailable => "Service unavailable",
                _ => "Internal server error",
            },
        },
    };

    private sealed record Message(string Id, string Model, Reply Reply, int InputTokens)
    {
        public int TotalTokens => InputTokens + Reply.Tokens.Count;

        public string StopReason => Reply.Truncated ? "max_tokens" : "end_turn";

        /// <summary>The whole message, or the empty one that message_start carries.</summary>
        public JsonObject ToJson(bool streaming = false) => new()
        {
            ["id"] = Id,
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = Model,
            ["content"] = streaming ? new JsonArray() : new JsonArray(new JsonObject { ["type"] = "text", ["text"] = Reply.Text }),
            ["stop_reason"] = streaming ? null : StopReason,
            ["stop_sequence"] = null,
            ["usage"] = new JsonObject
            {
                ["input_tokens"] = InputTokens,
                ["cache_creation_input_tokens"] = 0,
                ["cache_read_input_tokens"] = 0,
                ["output_tokens"] = streaming ? 1 : Reply.Tokens.Count,
            },
        };
    }
}
