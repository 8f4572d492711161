using System.Text.Json;
using RelayExporter.Configuration;

namespace RelayExporter.Protocols;

/// <summary>
/// Everything that differs between the OpenAI-compatible, Anthropic and Gemini APIs: how requests are built and
/// authenticated, and how responses are read. Checks and the scheduler only ever see this interface.
/// </summary>
public interface ILlmProtocol
{
    ProtocolKind Kind { get; }

    HttpRequestMessage CreateModelsRequest(TargetOptions target);

    /// <summary>The model ids of a models-list response; throws <see cref="Probing.ProbeFailure"/> when the shape is wrong.</summary>
    IReadOnlySet<string> ParseModelIds(JsonElement document);
}
