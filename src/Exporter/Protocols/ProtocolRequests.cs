using RelayExporter.Configuration;

namespace RelayExporter.Protocols;

/// <summary>Request construction shared by the protocols.</summary>
internal static class ProtocolRequests
{
    public static HttpRequestMessage Get(TargetOptions target, string relativePath) =>
        new(HttpMethod.Get, new Uri(target.BaseUri, relativePath.TrimStart('/')));

    public static HttpRequestMessage Post(TargetOptions target, string relativePath, System.Text.Json.Nodes.JsonObject body) =>
        new(HttpMethod.Post, new Uri(target.BaseUri, relativePath.TrimStart('/'))) { Content = JsonShape.Content(body) };

    /// <summary>The target's secret as the configuration in force loaded it.</summary>
    public static string? Credential(TargetOptions target) => target.Credential?.Value?.Reveal();
}
