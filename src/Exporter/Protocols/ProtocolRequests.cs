using System.Text;
using System.Text.Json.Nodes;
using RelayExporter.Configuration;

namespace RelayExporter.Protocols;

/// <summary>
/// Request construction shared by the protocols: the URL (the check's configured path or the protocol's own, the
/// target's query parameters) and the target's static headers. The credential is added when the request is sent
/// (<see cref="ILlmProtocol.Authenticator"/>).
/// </summary>
internal static class ProtocolRequests
{
    public static HttpRequestMessage Get(TargetOptions target, string path, string? protocolQuery = null) =>
        WithTargetHeaders(new HttpRequestMessage(HttpMethod.Get, ApiUri(target, path, protocolQuery)), target);

    public static HttpRequestMessage Post(TargetOptions target, string path, JsonObject body, string? protocolQuery = null) =>
        WithTargetHeaders(new HttpRequestMessage(HttpMethod.Post, ApiUri(target, path, protocolQuery)) { Content = JsonShape.Content(body) }, target);

    /// <summary>The configured path when the check has one, else the protocol's; <c>{model}</c> becomes the model.</summary>
    public static string PathFor(string? configured, string protocolPath, string? model = null)
    {
        var path = configured ?? protocolPath;
        return model is null ? path : path.Replace(CheckOptions.ModelPlaceholder, Uri.EscapeDataString(model), StringComparison.Ordinal);
    }

    /// <summary>The headers the target's configuration adds to every request, the health check's included.</summary>
    public static void AddTargetHeaders(HttpRequestMessage request, TargetOptions target)
    {
        foreach (var (name, value) in target.Headers)
            if (value.Resolve() is { } resolved) request.Headers.TryAddWithoutValidation(name, resolved);
    }

    private static HttpRequestMessage WithTargetHeaders(HttpRequestMessage request, TargetOptions target)
    {
        AddTargetHeaders(request, target);
        return request;
    }

    private static Uri ApiUri(TargetOptions target, string path, string? protocolQuery)
    {
        var uri = new Uri(target.BaseUri, path.TrimStart('/'));
        var query = new StringBuilder(protocolQuery);
        foreach (var (name, value) in target.Query) Append(query, name, value);
        return query.Length == 0 ? uri : new UriBuilder(uri) { Query = query.ToString() }.Uri;
    }

    private static void Append(StringBuilder query, string name, string value) =>
        query.Append(query.Length == 0 ? "" : "&").Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
}
