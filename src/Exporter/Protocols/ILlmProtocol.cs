using System.Text.Json;
using RelayExporter.Configuration;
using RelayExporter.Outcomes;

namespace RelayExporter.Protocols;

/// <summary>
/// Everything that differs between the OpenAI-compatible, Anthropic and Gemini APIs: how requests are built and
/// authenticated, and how responses are read. Checks and the scheduler only ever see this interface.
/// </summary>
public interface ILlmProtocol
{
    ProtocolKind Kind { get; }

    /// <summary>False for Gemini, whose streams end with a clean close after a finish reason instead of a marker.</summary>
    bool StreamEndsWithMarker { get; }

    /// <param name="path">The models check's configured path; null for the protocol's own.</param>
    HttpRequestMessage CreateModelsRequest(TargetOptions target, string? path);

    /// <summary>The model ids of a models-list response; throws <see cref="ProbeFailure"/> when the shape is wrong.</summary>
    IReadOnlySet<string> ParseModelIds(JsonElement document);

    /// <summary>Whether a models list holding <paramref name="offered"/> offers the configured <paramref name="model"/>.</summary>
    bool Offers(IReadOnlySet<string> offered, string model) => offered.Contains(model);

    HttpRequestMessage CreateChatRequest(TargetOptions target, ChatProbeRequest request);

    /// <summary>The answer of a non-streamed chat response; throws <see cref="ProbeFailure"/> (invalid_response) when the shape is wrong.</summary>
    ChatReply ParseChatReply(JsonElement document);

    /// <summary>
    /// One server-sent event of a streamed chat response (comments such as <c>: keep-alive</c> never reach here).
    /// Throws <see cref="ProbeFailure"/> (invalid_response) when the data cannot be understood.
    /// </summary>
    StreamFrame ParseStreamFrame(string eventType, string data);
}
