using System.Net.Http.Headers;
using System.Text;

namespace RelayExporter.Probing.Http;

/// <summary>
/// What one probe's HTTP exchange looked like: phases, status, version, certificate, headers. Written while the
/// probe runs (parts of it from connection callbacks), read afterwards by the metrics and the debug trace alike.
/// </summary>
public sealed class ProbeTrace
{
    private readonly List<string> _events = [];
    private readonly object _gate = new();

    public TimeSpan? Dns { get; set; }
    public TimeSpan? Connect { get; set; }
    public TimeSpan? Tls { get; set; }

    /// <summary>From sending the request to having the response headers.</summary>
    public TimeSpan? FirstByte { get; set; }

    /// <summary>From having the response headers to having read the whole body.</summary>
    public TimeSpan? Transfer { get; set; }

    /// <summary>Set when connecting failed: dns_error or connect_error, whichever step it was.</summary>
    public ProbeOutcome? ConnectFailure { get; set; }

    public DateTimeOffset? CertificateNotAfter { get; set; }
    public string? RequestLine { get; private set; }
    public IReadOnlyList<string> RequestHeaders { get; private set; } = [];
    public int? StatusCode { get; set; }
    public Version? HttpVersion { get; set; }
    public IReadOnlyList<string> ResponseHeaders { get; private set; } = [];
    public string? BodyExcerpt { get; set; }
    public IReadOnlyDictionary<string, double> RateLimitRemaining { get; private set; } = new Dictionary<string, double>();

    /// <summary>How long the target asked us to wait before the next request (429/503/529).</summary>
    public TimeSpan? RetryAfter { get; private set; }

    /// <summary>Things worth knowing that happened along the way, in order (debug output).</summary>
    public IReadOnlyList<string> Events { get { lock (_gate) return _events.ToList(); } }

    public void Note(string text)
    {
        lock (_gate) _events.Add(text);
    }

    public void RecordRequest(HttpRequestMessage request)
    {
        RequestLine = $"{request.Method} {request.RequestUri}";
        RequestHeaders = Redacted(request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()));
    }

    public void RecordResponse(HttpResponseMessage response, DateTimeOffset now)
    {
        RateLimitRemaining = ResponseHints.RateLimitRemaining(response.Headers);
        RetryAfter = ResponseHints.RetryAfter(response, now);
        StatusCode = (int)response.StatusCode;
        HttpVersion = response.Version;
        ResponseHeaders = Redacted(response.Headers.Concat(response.Content.Headers));
    }

    /// <summary>
    /// Removes a credential from everything an upstream could have echoed back (body, headers), so that a hostile
    /// or careless upstream cannot make the exporter print it.
    /// </summary>
    public void RedactSecret(string secret)
    {
        BodyExcerpt = Redact(BodyExcerpt, secret);
        ResponseHeaders = ResponseHeaders.Select(h => Redact(h, secret)!).ToList();
        RequestLine = Redact(RequestLine, secret);
    }

    public static string? Redact(string? text, string secret) =>
        text is null || secret.Length == 0 ? text : text.Replace(secret, "<redacted>", StringComparison.Ordinal);

    /// <summary>Header lines with the values of credential-bearing headers replaced.</summary>
    private static IReadOnlyList<string> Redacted(IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers) =>
        headers.Select(h => $"{h.Key}: {(SensitiveHeaders.Contains(h.Key) ? "<redacted>" : string.Join(", ", h.Value))}").ToList();

    private static readonly HashSet<string> SensitiveHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "x-api-key", "x-goog-api-key", "api-key", "Cookie", "Set-Cookie",
    };
}
