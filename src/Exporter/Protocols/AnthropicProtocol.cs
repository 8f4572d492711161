using System.Text.Json;
using RelayExporter.Configuration;

namespace RelayExporter.Protocols;

/// <summary>Anthropic's Messages API.</summary>
public sealed class AnthropicProtocol : ILlmProtocol
{
    public const string ApiVersion = "2023-06-01";

    public ProtocolKind Kind => ProtocolKind.Anthropic;

    public HttpRequestMessage CreateModelsRequest(TargetOptions target) => Authenticated(ProtocolRequests.Get(target, "v1/models"), target);

    public IReadOnlySet<string> ParseModelIds(JsonElement document) => ModelListParsing.Ids(document, "data", "id");

    private static HttpRequestMessage Authenticated(HttpRequestMessage request, TargetOptions target)
    {
        request.Headers.Add("anthropic-version", ApiVersion);
        if (ProtocolRequests.Credential(target) is { } key) request.Headers.Add("x-api-key", key);
        return request;
    }
}
