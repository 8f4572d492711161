using System.Text.Json;
using System.Text.Json.Nodes;
using RelayExporter.Configuration;

namespace RelayExporter.Protocols;

/// <summary>Google's Gemini API (generateContent).</summary>
public sealed class GeminiProtocol : ILlmProtocol
{
    public ProtocolDescription Description => ProtocolKinds.Gemini;
    public IStreamFraming StreamFraming => ServerSentEvents.EndingWithFinishReason;

    public HttpRequestMessage CreateModelsRequest(TargetOptions target, string? path) =>
        ProtocolRequests.Get(target, ProtocolRequests.PathFor(path, "v1beta/models"));

    /// <summary>Gemini names models <c>models/gemini-2.5-flash</c>; configs name them <c>gemini-2.5-flash</c>.</summary>
    public IReadOnlySet<string> ParseModelIds(JsonElement document) =>
        ModelListParsing.Ids(document, "models", "name", name => name.StartsWith("models/", StringComparison.Ordinal) ? name["models/".Length..] : name);

    public HttpRequestMessage CreateChatRequest(TargetOptions target, ChatProbeRequest request)
    {
        var path = ProtocolRequests.PathFor(request.Path,
            request.Stream ? "v1beta/models/{model}:streamGenerateContent" : "v1beta/models/{model}:generateContent", request.Model);
        return ProtocolRequests.Post(target, path, new JsonObject
        {
            ["contents"] = new JsonArray(new JsonObject
            {
                ["role"] = "user",
                ["parts"] = new JsonArray(new JsonObject { ["text"] = request.Prompt }),
            }),
            ["generationConfig"] = new JsonObject { ["maxOutputTokens"] = request.MaxTokens },
        }, request.Stream ? "alt=sse" : null);
    }

    public ChatReply ParseChatReply(JsonElement document)
    {
        if (JsonShape.First(document, "candidates") is not { } candidate)
            throw JsonShape.WrongShape(JsonShape.Object(document, "promptFeedback") is { } feedback
                ? $"no candidates (blockReason {JsonShape.String(feedback, "blockReason") ?? "unknown"})"
                : "no candidates");
        var (text, _) = Parts(candidate);
        return new ChatReply(text ?? "", Usage(document), JsonShape.String(candidate, "finishReason"), JsonShape.String(document, "modelVersion"));
    }

    public StreamFrame ParseStreamFrame(string eventType, string data)
    {
        using var frame = JsonShape.ParseFrame(data);
        var root = frame.RootElement;
        if (JsonShape.Object(root, "error") is { } error)
            return new StreamFrame { ErrorType = JsonShape.String(error, "status") ?? "error", ErrorCode = JsonShape.Text(error, "code"), ErrorMessage = JsonShape.String(error, "message") };
        var candidate = JsonShape.First(root, "candidates");
        var (content, reasoning) = candidate is { } c ? Parts(c) : (null, null);
        return new StreamFrame
        {
            Content = JsonShape.NonEmpty(content),
            Reasoning = JsonShape.NonEmpty(reasoning),
            FinishReason = candidate is { } f ? JsonShape.String(f, "finishReason") : null,
            Usage = Usage(root),
            Model = JsonShape.String(root, "modelVersion"),
        };
    }

    /// <summary>The answer text and the thought text of a candidate (parts marked <c>thought: true</c>).</summary>
    private static (string? Content, string? Reasoning) Parts(JsonElement candidate)
    {
        var parts = JsonShape.Object(candidate, "content") is { } content ? JsonShape.Array(content, "parts").ToList() : [];
        string? Join(bool thought) => parts.Count == 0 ? null
            : string.Concat(parts.Where(p => JsonShape.Bool(p, "thought") == thought).Select(p => JsonShape.String(p, "text")));
        return (Join(false), Join(true));
    }

    private static TokenUsage? Usage(JsonElement root) =>
        JsonShape.Object(root, "usageMetadata") is { } usage
            ? new TokenUsage(JsonShape.Long(usage, "promptTokenCount"),
                JsonShape.Long(usage, "candidatesTokenCount") + (JsonShape.Long(usage, "thoughtsTokenCount") ?? 0))
            : null;
}
