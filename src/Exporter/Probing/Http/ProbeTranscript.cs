namespace RelayExporter.Probing.Http;

/// <summary>
/// What was said in one probe's HTTP exchange, for people: the headers both ways (credentials redacted) and the start
/// of the body. Only the debug trace of an on-demand probe reads it; the result store does not keep it.
/// </summary>
public sealed class ProbeTranscript
{
    public IReadOnlyList<string> RequestHeaders { get; private set; } = [];
    public IReadOnlyList<string> ResponseHeaders { get; private set; } = [];
    public string? BodyExcerpt { get; set; }

    public void RecordRequest(HttpRequestMessage request) =>
        RequestHeaders = Redacted(request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()));

    public void RecordResponse(HttpResponseMessage response) => ResponseHeaders = Redacted(response.Headers.Concat(response.Content.Headers));

    /// <summary>
    /// Removes a credential from everything an upstream could have echoed back (body, headers), so that a hostile
    /// or careless upstream cannot make the exporter print it.
    /// </summary>
    public void RedactSecret(string secret)
    {
        BodyExcerpt = SecretRedaction.Redact(BodyExcerpt, secret);
        ResponseHeaders = ResponseHeaders.Select(h => SecretRedaction.Redact(h, secret)!).ToList();
    }

    /// <summary>Header lines with the values of credential-bearing headers replaced.</summary>
    private static IReadOnlyList<string> Redacted(IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers) =>
        headers.Select(h => $"{h.Key}: {(SensitiveHeaders.Contains(h.Key) ? "<redacted>" : string.Join(", ", h.Value))}").ToList();

    private static readonly HashSet<string> SensitiveHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "x-api-key", "x-goog-api-key", "api-key", "Cookie", "Set-Cookie",
    };
}
