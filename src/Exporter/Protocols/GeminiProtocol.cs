using System.Text.Json;
using RelayExporter.Configuration;

namespace RelayExporter.Protocols;

/// <summary>Google's Gemini API (generateContent).</summary>
public sealed class GeminiProtocol : ILlmProtocol
{
    public ProtocolKind Kind => ProtocolKind.Gemini;

    public HttpRequestMessage CreateModelsRequest(TargetOptions target) => Authenticated(ProtocolRequests.Get(target, "v1beta/models"), target);

    /// <summary>Gemini names models <c>models/gemini-2.5-flash</c>; configs name them <c>gemini-2.5-flash</c>.</summary>
    public IReadOnlySet<string> ParseModelIds(JsonElement document) =>
        ModelListParsing.Ids(document, "models", "name", name => name.StartsWith("models/", StringComparison.Ordinal) ? name["models/".Length..] : name);

    private static HttpRequestMessage Authenticated(HttpRequestMessage request, TargetOptions target)
    {
        // The header, not the ?key= query parameter: a URL ends up in logs and traces, a header can be redacted.
        if (ProtocolRequests.Credential(target) is { } key) request.Headers.Add("x-goog-api-key", key);
        return request;
    }
}
