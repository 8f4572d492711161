using System.Text.Json;
using System.Text.Json.Nodes;
using RelayExporter.Configuration;

namespace RelayExporter.Protocols;

/// <summary>OpenAI's API and everything compatible with it: relays, DeepSeek.</summary>
public sealed class OpenAiProtocol : ILlmProtocol
{
    public ProtocolDescription Description => ProtocolKinds.Openai;
    public IStreamFraming StreamFraming => ServerSentEvents.EndingWithMarker;

    public HttpRequestMessage CreateModelsRequest(TargetOptions target, string? path) =>
        ProtocolRequests.Get(target, ProtocolRequests.PathFor(path, "v1/models"));

    public IReadOnlySet<string> ParseModelIds(JsonElement document) => ModelListParsing.Ids(document, "data", "id");

    public HttpRequestMessage CreateChatRequest(TargetOptions target, ChatProbeRequest request) =>
        ProtocolRequests.Post(target, ProtocolRequests.PathFor(request.Path, "v1/chat/completions", request.Model), ChatBody(request.Model, request));

    /// <summary>The chat completions body; <paramref name="model"/> is what the API calls the model (Azure: the deployment).</summary>
    internal static JsonObject ChatBody(string model, ChatProbeRequest request)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = request.Prompt }),
            ["max_tokens"] = request.MaxTokens,
            ["stream"] = request.Stream,
        };
        if (request.Stream) body["stream_options"] = new JsonObject { ["include_usage"] = true };
        return body;
    }

    public ChatReply ParseChatReply(JsonElement document)
    {
        if (JsonShape.First(document, "choices") is not { } choice || JsonShape.Object(choice, "message") is not { } message)
            throw JsonShape.WrongShape("no choices[0].message");
        var text = JsonShape.String(message, "content") ?? "";
        return new ChatReply(text, Usage(document), JsonShape.String(choice, "finish_reason"), JsonShape.String(document, "model"));
    }

    public StreamFrame ParseStreamFrame(string eventType, string data)
    {
        if (data.Trim() == "[DONE]") return new StreamFrame { IsEnd = true };
        using var frame = JsonShape.ParseFrame(data);
        var root = frame.RootElement;
        if (JsonShape.Object(root, "error") is { } error)
            return new StreamFrame { ErrorType = JsonShape.String(error, "type") ?? "error", ErrorCode = JsonShape.Text(error, "code"), ErrorMessage = JsonShape.String(error, "message") };

        var choice = JsonShape.First(root, "choices");
        var delta = choice is { } c ? JsonShape.Object(c, "delta") : null;
        return new StreamFrame
        {
            Content = delta is { } d ? JsonShape.NonEmpty(JsonShape.String(d, "content")) : null,
            // DeepSeek streams its reasoning as reasoning_content; several relays call it reasoning.
            Reasoning = delta is { } r ? JsonShape.NonEmpty(JsonShape.String(r, "reasoning_content") ?? JsonShape.String(r, "reasoning")) : null,
            FinishReason = choice is { } f ? JsonShape.String(f, "finish_reason") : null,
            Usage = Usage(root),
            Model = JsonShape.String(root, "model"),
        };
    }

    private static TokenUsage? Usage(JsonElement root) =>
        JsonShape.Object(root, "usage") is { } usage
            ? new TokenUsage(JsonShape.Long(usage, "prompt_tokens"), JsonShape.Long(usage, "completion_tokens"))
            : null;
}
