using System.Text.Json;
using RelayExporter.Configuration;
using RelayExporter.Outcomes;

namespace RelayExporter.Protocols;

/// <summary>
/// Everything that differs between the OpenAI-compatible, Anthropic and Gemini APIs: how requests are built and
/// authenticated, how answers and streams are read, and what their errors say. Checks and the scheduler only ever see
/// this interface.
/// </summary>
public interface ILlmProtocol
{
    /// <summary>Its name in the configuration, default credential header, GenAI names …</summary>
    ProtocolDescription Description { get; }

    /// <summary>How a streamed answer is framed, and how a complete one ends.</summary>
    IStreamFraming StreamFraming { get; }

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
    /// One event of a streamed chat response (comments such as <c>: keep-alive</c> never reach here).
    /// Throws <see cref="ProbeFailure"/> (invalid_response) when the data cannot be understood.
    /// </summary>
    StreamFrame ParseStreamFrame(string eventType, string data);

    /// <summary>What an error event inside a 200 stream (<see cref="StreamFrame.ErrorType"/>) says went wrong.</summary>
    ProbeOutcome ErrorEventOutcome(StreamFrame frame) => Protocols.ErrorEventOutcome.Classify(frame.ErrorType!, frame.ErrorCode, frame.ErrorMessage);

    /// <summary>Whether the body of a 404 says the requested model does not exist (rather than the URL).</summary>
    bool SaysModelMissing(ReadOnlySpan<byte> body, string? requestedModel) => ModelMissingBody.Says(body, requestedModel);

    /// <summary>How requests to <paramref name="target"/> carry its credential; called on every request just before it is sent.</summary>
    IRequestAuthenticator Authenticator(TargetOptions target) => KeyPlacement.For(target);
}
