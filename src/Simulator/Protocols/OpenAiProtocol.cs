using System.Text.Json;
using System.Text.Json.Nodes;

namespace RelayExporter.Simulator;

/// <summary>OpenAI chat completions, as served by OpenAI, DeepSeek and OpenAI-compatible relays.</summary>
internal sealed class OpenAiProtocol : IProtocol
{
    private const string Fingerprint = "fp_sim0001";
    private const long ModelsCreated = 1_744_316_542;

    public string? ModelOf(SimRequest request) => request.BodyString("model");

    public bool IsStream(SimRequest request) => request.BodyFlag("stream");

    public bool HasCredentials(SimRequest request) => request.Header("Authorization") is not null;

    public SseFrame StreamErrorFrame { get; } = SseFrame.Data(new JsonObject { ["error"] = ErrorObject(ErrorKind.Overloaded, null) });

    public SimResponse Handle(SimRequest request, TargetContext target)
    {
        if (!target.KeyChecked && !HasBearerToken(request))
            return Error(ErrorKind.Unauthorized,
                "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
        return (request.Method, request.Path) switch
        {
            ("GET", "/v1/models") => Models(target),
            ("POST", "/v1/chat/completions") => Chat(request, target),
            _ => Error(ErrorKind.NotFound, $"Invalid URL ({request.Method} {request.Path})"),
        };
    }

    public static bool HasBearerToken(SimRequest request) =>
        request.Header("Authorization") is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal)
        && !string.IsNullOrWhiteSpace(auth["Bearer ".Length..]);

    public BodyResponse Error(ErrorKind kind, string? message = null) =>
        BodyResponse.Json(IProtocol.StatusOf(kind), new JsonObject { ["error"] = ErrorObject(kind, message) });

    public void AddRateLimitHeaders(IDictionary<string, string> headers, RateLimitSnapshot s)
    {
        headers["x-ratelimit-limit-requests"] = s.RequestLimit.ToString();
        headers["x-ratelimit-limit-tokens"] = s.TokenLimit.ToString();
        headers["x-ratelimit-remaining-requests"] = s.RequestsRemaining.ToString();
        headers["x-ratelimit-remaining-tokens"] = s.TokensRemaining.ToString();
        headers["x-ratelimit-reset-requests"] = GoDuration(s.ResetIn);
        headers["x-ratelimit-reset-tokens"] = GoDuration(s.ResetIn);
    }

    private static BodyResponse Models(TargetContext target) => BodyResponse.Json(200, new JsonObject
    {
        ["object"] = "list",
        ["data"] = new JsonArray([.. target.ListedModels.Select(m => (JsonNode)new JsonObject
        {
            ["id"] = m,
            ["object"] = "model",
            ["created"] = ModelsCreated,
            ["owned_by"] = Wire.OwnerOf(m),
        })]),
    });

    private SimResponse Chat(SimRequest request, TargetContext target)
    {
        if (request.Body is not { ValueKind: JsonValueKind.Object })
            return Error(ErrorKind.BadRequest, "We could not parse the JSON body of your request.");
        var model = ModelOf(request);
        if (model is null)
            return Error(ErrorKind.BadRequest, "you must provide a model parameter");
        if (Wire.Property(request.Body, "messages") is not { ValueKind: JsonValueKind.Array } messages)
            return Error(ErrorKind.BadRequest, "'messages' is a required property");
        if (!target.Serves(model))
            return Error(ErrorKind.UnknownModel, $"The model `{model}` does not exist or you do not have access to it.");
        var (maxCompletion, badCompletion) = Wire.PositiveInt(request.Body, "max_completion_tokens");
        var (maxTokens, badMax) = Wire.PositiveInt(request.Body, "max_tokens");
        if (badCompletion || badMax)
            return Error(ErrorKind.BadRequest, "max_tokens and max_completion_tokens must be positive integers");

        var reply = Reply.For(maxCompletion ?? maxTokens);
        var reasoning = target.Definition.ReasoningModels.Contains(model) ? Reply.ReasoningTokens : [];
        var completion = new Completion(
            Wire.NewId("chatcmpl-"), Wire.UnixNow(), target.AnsweringFor(model), reply, reasoning,
            Reply.CountWords(messages, "content", "text"));
        var includeUsage = Wire.Property(Wire.Property(request.Body, "stream_options"), "include_usage")?.ValueKind == JsonValueKind.True;
        return IsStream(request)
            ? new StreamResponse(StreamFrames(completion, includeUsage, target.Definition.StreamKeepAlive), StreamErrorFrame) { Tokens = completion.TotalTokens }
            : BodyResponse.Json(200, completion.ToJson(), completion.TotalTokens);
    }

    private static List<SseFrame> StreamFrames(Completion c, bool includeUsage, bool keepAlive)
    {
        var frames = new List<SseFrame>();
        if (keepAlive) frames.AddRange([SseFrame.Comment("keep-alive"), SseFrame.Comment("keep-alive")]);
        frames.Add(c.Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null, includeUsage));
        frames.AddRange(c.Reasoning.Select(t => c.Chunk(new JsonObject { ["reasoning_content"] = t }, null, includeUsage)));
        frames.AddRange(c.Reply.Tokens.Select(t => c.Chunk(new JsonObject { ["content"] = t }, null, includeUsage)));
        frames.Add(c.Chunk(new JsonObject(), c.FinishReason, includeUsage));
        if (includeUsage)
        {
            var usageChunk = c.ChunkBase();
            usageChunk["choices"] = new JsonArray();
            usageChunk["usage"] = c.Usage();
            frames.Add(SseFrame.Data(usageChunk));
        }
        frames.Add(SseFrame.Done);
        return frames;
    }

    private static JsonObject ErrorObject(ErrorKind kind, string? message) => new()
    {
        ["message"] = message ?? kind switch
        {
            ErrorKind.Unauthorized => "Incorrect API key provided.",
            ErrorKind.RateLimited => "Rate limit reached for requests. Please try again later.",
            ErrorKind.BadGateway => "Bad gateway.",
            ErrorKind.Unavailable => "Service unavailable.",
            ErrorKind.Overloaded => "The server is overloaded or not ready yet.",
            _ => "The server had an error while processing your request. Sorry about that!",
        },
        ["type"] = kind switch
        {
            ErrorKind.BadRequest or ErrorKind.Unauthorized or ErrorKind.UnknownModel or ErrorKind.NotFound => "invalid_request_error",
            ErrorKind.RateLimited => "requests",
            _ => "server_error",
        },
        ["param"] = null,
        ["code"] = kind switch
        {
            ErrorKind.Unauthorized => "invalid_api_key",
            ErrorKind.UnknownModel => "model_not_found",
            ErrorKind.RateLimited => "rate_limit_exceeded",
            ErrorKind.Overloaded => "overloaded",
            _ => null,
        },
    };

    /// <summary>OpenAI writes resets as Go durations: "120ms", "1.5s", "6m0s".</summary>
    private static string GoDuration(TimeSpan t) => t.TotalSeconds < 1
        ? $"{(int)t.TotalMilliseconds}ms"
        : t.TotalMinutes < 1 ? $"{Math.Round(t.TotalSeconds, 3)}s" : $"{(int)t.TotalMinutes}m{t.Seconds}s";

    private sealed record Completion(string Id, long Created, string Model, Reply Reply, IReadOnlyList<string> Reasoning, int PromptTokens)
    {
        public int CompletionTokens => Reply.Tokens.Count + Reasoning.Count;

        public int TotalTokens => PromptTokens + CompletionTokens;

        public string FinishReason => Reply.Truncated ? "length" : "stop";

        public JsonObject Usage()
        {
            var usage = new JsonObject
            {
                ["prompt_tokens"] = PromptTokens,
                ["completion_tokens"] = CompletionTokens,
                ["total_tokens"] = TotalTokens,
            };
            if (Reasoning.Count > 0) usage["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = Reasoning.Count };
            return usage;
        }

        public JsonObject ToJson()
        {
            var message = new JsonObject { ["role"] = "assistant", ["content"] = Reply.Text, ["refusal"] = null };
            if (Reasoning.Count > 0) message["reasoning_content"] = string.Concat(Reasoning);
            return new JsonObject
            {
                ["id"] = Id,
                ["object"] = "chat.completion",
                ["created"] = Created,
                ["model"] = Model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = message,
                    ["logprobs"] = null,
                    ["finish_reason"] = FinishReason,
                }),
                ["usage"] = Usage(),
                ["system_fingerprint"] = Fingerprint,
            };
        }

        public JsonObject ChunkBase() => new()
        {
            ["id"] = Id,
            ["object"] = "chat.completion.chunk",
            ["created"] = Created,
            ["model"] = Model,
            ["system_fingerprint"] = Fingerprint,
        };

        public SseFrame Chunk(JsonObject delta, string? finishReason, bool includeUsage)
        {
            var chunk = ChunkBase();
            chunk["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["delta"] = delta,
                ["logprobs"] = null,
                ["finish_reason"] = finishReason,
            });
            if (includeUsage) chunk["usage"] = null;
            return SseFrame.Data(chunk);
        }
    }
}
