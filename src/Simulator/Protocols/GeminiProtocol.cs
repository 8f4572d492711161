using System.Text.Json;
using System.Text.Json.Nodes;

namespace RelayExporter.Simulator;

/// <summary>Google's Gemini API (generateContent and streamGenerateContent with alt=sse).</summary>
internal sealed class GeminiProtocol : IProtocol
{
    private const string ModelsPrefix = "/v1beta/models/";

    public string? ModelOf(SimRequest request) => ParsePath(request.Path)?.Model;

    public bool IsStream(SimRequest request) => ParsePath(request.Path)?.Method == "streamGenerateContent";

    public bool HasCredentials(SimRequest request) =>
        request.Header("x-goog-api-key") is not null || request.Query.ContainsKey("key");

    public SseFrame StreamErrorFrame { get; } = SseFrame.Data(ErrorBody(ErrorKind.Overloaded, null));

    public SimResponse Handle(SimRequest request, TargetContext target)
    {
        if (!target.KeyChecked && string.IsNullOrEmpty(request.Header("x-goog-api-key")) && string.IsNullOrEmpty(request.Query["key"]))
            return Error(ErrorKind.Unauthorized,
                "Method doesn't allow unregistered callers. Please use an API key (x-goog-api-key header or key parameter).");
        if (request.Method == "GET" && request.Path == "/v1beta/models")
            return Models(target);
        if (request.Method == "POST" && ParsePath(request.Path) is { } call
            && call.Method is "generateContent" or "streamGenerateContent")
            return Generate(request, target, call.Model, call.Method == "streamGenerateContent");
        return Error(ErrorKind.NotFound, $"The requested URL {request.Path} was not found on this server.");
    }

    public BodyResponse Error(ErrorKind kind, string? message = null) =>
        BodyResponse.Json(IProtocol.StatusOf(kind), ErrorBody(kind, message));

    public void AddRateLimitHeaders(IDictionary<string, string> headers, RateLimitSnapshot snapshot)
    {
        // Gemini sends no rate-limit headers.
    }

    private static BodyResponse Models(TargetContext target) => BodyResponse.Json(200, new JsonObject
    {
        ["models"] = new JsonArray([.. target.ListedModels.Select(m => (JsonNode)new JsonObject
        {
            ["name"] = "models/" + m,
            ["version"] = "001",
            ["displayName"] = Wire.DisplayName(m),
            ["inputTokenLimit"] = 1_048_576,
            ["outputTokenLimit"] = 65_536,
            ["supportedGenerationMethods"] = new JsonArray("generateContent", "streamGenerateContent"),
        })]),
    });

    private SimResponse Generate(SimRequest request, TargetContext target, string model, bool stream)
    {
        if (request.Body is not { ValueKind: JsonValueKind.Object })
            return Error(ErrorKind.BadRequest, "Invalid JSON payload received.");
        if (Wire.Property(request.Body, "contents") is not { ValueKind: JsonValueKind.Array } contents)
            return Error(ErrorKind.BadRequest, "* GenerateContentRequest.contents: contents is not specified");
        if (!target.Serves(model))
            return Error(ErrorKind.UnknownModel,
                $"models/{model} is not found for API version v1beta, or is not supported for generateContent.");
        if (stream && request.Query["alt"] != "sse")
            return Error(ErrorKind.BadRequest, "This simulator serves streamGenerateContent only with alt=sse.");
        var (maxTokens, badMax) = Wire.PositiveInt(Wire.Property(request.Body, "generationConfig"), "maxOutputTokens");
        if (badMax)
            return Error(ErrorKind.BadRequest, "generationConfig.maxOutputTokens must be a positive integer");

        var system = Wire.Property(request.Body, "systemInstruction");
        var prompt = Reply.CountWords(contents, "text") + (system is { } s ? Reply.CountWords(s, "text") : 0);
        var reply = Reply.For(maxTokens);
        var responseId = Wire.NewId("");
        var answering = target.AnsweringFor(model);
        var finish = reply.Truncated ? "MAX_TOKENS" : "STOP";
        var total = prompt + reply.Tokens.Count;
        if (!stream)
            return BodyResponse.Json(200, Chunk(answering, responseId, reply.Text, finish, prompt, reply.Tokens.Count), total);

        var frames = reply.Tokens.Select((token, i) => i == reply.Tokens.Count - 1
            ? SseFrame.Data(Chunk(answering, responseId, token, finish, prompt, reply.Tokens.Count))
            : SseFrame.Data(Chunk(answering, responseId, token, null, prompt, null))).ToList();
        return new StreamResponse(frames, StreamErrorFrame) { Tokens = total };
    }

    /// <summary>A response or stream chunk; only the last one carries finishReason and the output token count.</summary>
    private static JsonObject Chunk(string model, string responseId, string text, string? finishReason, int prompt, int? output)
    {
        var candidate = new JsonObject
        {
            ["content"] = new JsonObject
            {
                ["parts"] = new JsonArray(new JsonObject { ["text"] = text }),
                ["role"] = "model",
            },
        };
        if (finishReason is not null) candidate["finishReason"] = finishReason;
        candidate["index"] = 0;
        var usage = new JsonObject { ["promptTokenCount"] = prompt };
        if (output is { } o) usage["candidatesTokenCount"] = o;
        usage["totalTokenCount"] = prompt + (output ?? 0);
        return new JsonObject
        {
            ["candidates"] = new JsonArray(candidate),
            ["usageMetadata"] = usage,
            ["modelVersion"] = model,
            ["responseId"] = responseId,
        };
    }

    private static JsonObject ErrorBody(ErrorKind kind, string? message) => new()
    {
        ["error"] = new JsonObject
        {
            ["code"] = IProtocol.StatusOf(kind),
            ["message"] = message ?? kind switch
            {
                ErrorKind.Unauthorized => "API key not valid. Please pass a valid API key.",
                ErrorKind.RateLimited => "Resource has been exhausted (e.g. check quota).",
                ErrorKind.Overloaded => "The model is overloaded. Please try again later.",
                ErrorKind.BadGateway or ErrorKind.Unavailable => "The service is currently unavailable.",
                _ => "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
            },
            ["status"] = kind switch
            {
                ErrorKind.BadRequest => "INVALID_ARGUMENT",
                ErrorKind.Unauthorized => "UNAUTHENTICATED",
                ErrorKind.UnknownModel or ErrorKind.NotFound => "NOT_FOUND",
                ErrorKind.RateLimited => "RESOURCE_EXHAUSTED",
                ErrorKind.InternalError => "INTERNAL",
                _ => "UNAVAILABLE",
            },
        },
    };

    private static (string Model, string Method)? ParsePath(string path)
    {
        if (!path.StartsWith(ModelsPrefix, StringComparison.Ordinal)) return null;
        var rest = path[ModelsPrefix.Length..];
        var colon = rest.LastIndexOf(':');
        return colon <= 0 ? null : (rest[..colon], rest[(colon + 1)..]);
    }
}
