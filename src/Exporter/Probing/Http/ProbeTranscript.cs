namespace RelayExporter.Probing.Http;

/// <summary>
/// What was said in one probe's HTTP exchange, for people: the request line, the headers both ways (credentials
/// redacted) and the start of the body. Written only for a debug probe (<c>/probe?…&amp;debug=true</c>), the one reader:
/// for every other probe it would be a few microseconds and kilobytes of text nobody reads.
/// </summary>
public sealed class ProbeTranscript
{
    /// <summary>Method and URL of the request, e.g. <c>GET https://relay.example.com/v1/models</c>; null until a request is sent.</summary>
    public string? RequestLine { get; private set; }
    public IReadOnlyList<string> RequestHeaders { get; private set; } = [];
    public IReadOnlyList<string> ResponseHeaders { get; private set; } = [];
    public string? BodyExcerpt { get; set; }

    /// <param name="secretHeaders">Further headers whose values are secret: the target's credential header and secret headers.</param>
    public void RecordRequest(HttpRequestMessage request, IReadOnlySet<string> secretHeaders)
    {
        RequestLine = $"{request.Method} {request.RequestUri}";
        RequestHeaders = Redacted(request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()), secretHeaders);
    }

    public void RecordResponse(HttpResponseMessage response) => ResponseHeaders = Redacted(response.Headers.Concat(response.Content.Headers), new HashSet<string>());

    /// <summary>
    /// Cleans everything an upstream could have written or echoed back (body, headers) and the request line and headers
    /// (a key in the query string, for a target whose credential sets <c>query</c>; whatever a request authenticator
    /// added): no secret, no control character, whatever a hostile or careless upstream sends.
    /// </summary>
    public void Clean(UpstreamText text)
    {
        RequestLine = RequestLine is null ? null : text.Clean(RequestLine);
        RequestHeaders = RequestHeaders.Select(text.Clean).ToList();
        BodyExcerpt = BodyExcerpt is null ? null : text.Clean(BodyExcerpt);
        ResponseHeaders = ResponseHeaders.Select(text.Clean).ToList();
    }

    /// <summary>Header lines with the values of credential-bearing headers replaced.</summary>
    private static List<string> Redacted(IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers, IReadOnlySet<string> secretHeaders) =>
        headers.Select(h => $"{h.Key}: {(SensitiveHeaders.Contains(h.Key) || secretHeaders.Contains(h.Key) ? "<redacted>" : string.Join(", ", h.Value))}").ToList();

    private static readonly HashSet<string> SensitiveHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "x-api-key", "x-goog-api-key", "api-key", "Cookie", "Set-Cookie",
    };
}
