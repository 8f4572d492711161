namespace RelayExporter.Configuration;

/// <summary>What the configuration needs to know about request headers: valid names, and those the exporter sets itself.</summary>
public static class RequestHeaders
{
    public const string Authorization = "Authorization";

    private static readonly HashSet<string> Transport = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Type", "Content-Length", "Transfer-Encoding", "Connection", "Accept-Encoding", "Expect", "Upgrade",
        "Keep-Alive", "TE", "Trailer", "Proxy-Connection",
    };

    /// <summary>Headers the HTTP client or the request body sets: a configured one would clash with it.</summary>
    public static bool IsControlledByTransport(string name) => Transport.Contains(name);

    /// <summary>Why a header name is not a valid HTTP field name (RFC 9110 token); null when it is.</summary>
    public static string? NameProblem(string name) =>
        name.Length == 0 ? "a header name cannot be empty"
        : name.All(IsTokenChar) ? null
        : $"\"{name}\" is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)";

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);
}
