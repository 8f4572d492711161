using System.Net.Http.Headers;
using System.Text.Json;
using RelayExporter.Configuration;

namespace RelayExporter.Protocols;

/// <summary>OpenAI's API and everything compatible with it: relays, DeepSeek.</summary>
public sealed class OpenAiProtocol : ILlmProtocol
{
    public ProtocolKind Kind => ProtocolKind.Openai;

    public HttpRequestMessage CreateModelsRequest(TargetOptions target) => Authenticated(ProtocolRequests.Get(target, "v1/models"), target);

    public IReadOnlySet<string> ParseModelIds(JsonElement document) => ModelListParsing.Ids(document, "data", "id");

    private static HttpRequestMessage Authenticated(HttpRequestMessage request, TargetOptions target)
    {
        if (ProtocolRequests.Credential(target) is { } key) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }
}
