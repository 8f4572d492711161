using System.Text.Json;
using System.Text.Json.Nodes;
using RelayExporter.Configuration;

namespace RelayExporter.Protocols;

/// <summary>Anthropic's Messages API.</summary>
public sealed class AnthropicProtocol : ILlmProtocol
{
    public const string ApiVersion = "2023-06-01";

    public ProtocolDescription Description => ProtocolKinds.Anthropic;
    public IStreamFraming StreamFraming => ServerSentEvents.EndingWithMarker;

    public HttpRequestMessage CreateModelsRequest(TargetOptions target, string? path) =>
        Versioned(ProtocolRequests.Get(target, ProtocolRequests.PathFor(path, "v1/models")));

    public IReadOnlySet<string> ParseModelIds(JsonElement document) => ModelListParsing.Ids(document, "data", "id");

    public HttpRequestMessage CreateChatRequest(TargetOptions target, ChatProbeRequest request) =>
        Versioned(ProtocolRequests.Post(target, ProtocolRequests.PathFor(request.Path, "v1/messages", request.Model), new JsonObject
        {
            ["model"] = request.Model,
            ["max_tokens"] = request.MaxTokens,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = request.Prompt }),
            ["stream"] = request.Stream,
        }));

    public ChatReply ParseChatReply(JsonElement document)
    {
        if (JsonShape.String(document, "type") != "message" || JsonShape.Get(document, "content") is not { ValueKind: JsonValueKind.Array })
            throw JsonShape.WrongShape("not a message with a content array");
        var text = string.Concat(JsonShape.Array(document, "content")
            .Where(block => JsonShape.String(block, "type") == "text")
            .Select(block => JsonShape.String(block, "text")));
        return new ChatReply(text, Usage(document), JsonShape.String(document, "stop_reason"), JsonShape.String(document, "model"));
    }

    public StreamFrame ParseStreamFrame(string eventType, string data)
    {
        using var frame = JsonShape.ParseFrame(data);
        var root = frame.RootElement;
        // Unknown event types are ignored, as Anthropic's versioning policy asks of clients.
        return (JsonShape.String(root, "type") ?? eventType) switch
        {
            "message_start" when JsonShape.Object(root, "message") is { } message => new StreamFrame { Usage = Usage(message), Model = JsonShape.String(message, "model") },
            "content_block_delta" when JsonShape.Object(root, "delta") is { } delta => JsonShape.String(delta, "type") switch
            {
                "text_delta" => new StreamFrame { Content = JsonShape.NonEmpty(JsonShape.String(delta, "text")) },
                "thinking_delta" => new StreamFrame { Reasoning = JsonShape.NonEmpty(JsonShape.String(delta, "thinking")) },
                _ => StreamFrame.Nothing,
            },
            "message_delta" => new StreamFrame
            {
                FinishReason = JsonShape.Object(root, "delta") is { } delta ? JsonShape.String(delta, "stop_reason") : null,
                Usage = Usage(root),
            },
            "message_stop" => new StreamFrame { IsEnd = true },
            "error" => new StreamFrame
            {
                ErrorType = JsonShape.Object(root, "error") is { } error ? JsonShape.String(error, "type") ?? "error" : "error",
                ErrorMessage = JsonShape.Object(root, "error") is { } e ? JsonShape.String(e, "message") : null,
            },
            _ => StreamFrame.Nothing,
        };
    }

    private static TokenUsage? Usage(JsonElement owner) =>
        JsonShape.Object(owner, "usage") is { } usage
            ? new TokenUsage(JsonShape.Long(usage, "input_tokens"), JsonShape.Long(usage, "output_tokens"))
            : null;

    private static HttpRequestMessage Versioned(HttpRequestMessage request)
    {
        request.Headers.Add("anthropic-version", ApiVersion);
        return request;
    }
}
