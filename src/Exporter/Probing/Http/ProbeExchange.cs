using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RelayExporter.Configuration;
using RelayExporter.Outcomes;
using RelayExporter.Protocols;

namespace RelayExporter.Probing.Http;

/// <summary>
/// One probe's HTTP conversation with its target: authenticates each request the way the target's protocol says, sends
/// it through the probe's own handler, times the first byte and the
/// transfer (into the trace), keeps what was said for a debug probe (in the transcript), bounds the body, and turns
/// what comes back into a classified failure when it is not an answer. What it quotes of a body goes through
/// <see cref="Text"/>, as everything a check quotes of the upstream must.
/// </summary>
public sealed class ProbeExchange(ProbeHttpClients clients, TargetOptions target, ILlmProtocol protocol, ProbeTrace trace, ProbeTranscript? transcript,
    UpstreamText text, int maxBodyBytes, TimeProvider time)
    : IDisposable
{
    private readonly IRequestAuthenticator _authenticator = protocol.Authenticator(target);
    private const int ExcerptChars = 512;
    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 64 };
    private HttpMessageInvoker? _handler;
    private long _sent;
    private long _headersAt;

    public ProbeTrace Trace => trace;
    /// <summary>What was said, when the probe is transcribed (a debug probe); null otherwise.</summary>
    public ProbeTranscript? Transcript => transcript;

    /// <summary>How upstream text enters the probe's results: secrets redacted, control characters escaped.</summary>
    public UpstreamText Text => text;

    /// <summary>Whether a request went out (a probe the circuit held back, or that failed before sending, has none).</summary>
    public bool RequestSent { get; private set; }
    public int MaxBodyBytes => maxBodyBytes;

    /// <summary>The model the probe asks for, if any: a 404 that names it says the model does not exist.</summary>
    public string? RequestedModel { get; init; }

    /// <summary>The time elapsed since the request was sent, read as the body arrives: the first token and the gaps between tokens are measured with it.</summary>
    public TimeSpan SinceSent => time.GetElapsedTime(_sent);

    /// <summary>Sends the request with the target's credential, added now that the request is complete.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await _authenticator.AuthenticateAsync(request, cancellationToken);
        return await SendWithoutCredentialAsync(request, cancellationToken);
    }

    /// <summary>Sends the request as it is: for what is no part of the provider's API (a relay's health document).</summary>
    public async Task<HttpResponseMessage> SendWithoutCredentialAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        transcript?.RecordRequest(request, target.SecretHeaders);
        RequestSent = true;
        _sent = time.GetTimestamp();
        _handler ??= clients.ForProbe(target);
        var response = await ProbeHttpClients.SendAsync(_handler, request, trace, cancellationToken);
        _headersAt = time.GetTimestamp();
        trace.FirstByte = time.GetElapsedTime(_sent, _headersAt) - (trace.Dns ?? TimeSpan.Zero) - (trace.Connect ?? TimeSpan.Zero) - (trace.Tls ?? TimeSpan.Zero);
        trace.RecordResponse(response, time.GetUtcNow());
        transcript?.RecordResponse(response);
        return response;
    }

    /// <summary>Marks the end of the body: everything since the headers counts as transfer.</summary>
    public void BodyDone() => trace.Transfer = time.GetElapsedTime(_headersAt);

    public async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = OpenBody(await response.Content.ReadAsStreamAsync(cancellationToken));
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        BodyDone();
        var body = buffer.ToArray();
        if (transcript is not null) transcript.BodyExcerpt = Excerpt(body);
        return body;
    }

    public Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        ReadJsonAsync(response, "the response body", cancellationToken);

    /// <summary>The body as JSON, or a failure: the outcome of a non-success status, an HTML page, or text that is not JSON.</summary>
    /// <param name="what">What the body is, for the reason: "the models list".</param>
    public async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(response, cancellationToken);
        ThrowIfNotSuccess(response, body);
        ThrowIfHtml(response);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ProbeFailure(ProbeOutcome.InvalidResponse, $"HTTP {(int)response.StatusCode} body is not valid JSON: {e.Message}");
        }
        // The parser does not check the bytes inside strings; reading such a string later would throw, far from here.
        if (InvalidUtf8At(body) is not { } at) return document;
        document.Dispose();
        throw new ProbeFailure(ProbeOutcome.InvalidResponse, $"invalid UTF-8 in {what} at byte {at}");
    }

    /// <summary>Ends the probe's handler, and with it any connection a check left open.</summary>
    public void Dispose() => _handler?.Dispose();

    /// <summary>A non-success status fails the probe with its outcome; its body (bounded) says why.</summary>
    public async Task ThrowIfNotSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode) ThrowIfNotSuccess(response, await ReadBodyAsync(response, cancellationToken));
    }

    public void ThrowIfHtml(HttpResponseMessage response)
    {
        if (response.Content.Headers.ContentType?.MediaType is { } type && type.Contains("html", StringComparison.OrdinalIgnoreCase))
            throw new ProbeFailure(ProbeOutcome.InvalidResponse, $"HTTP {(int)response.StatusCode} with an HTML page instead of an API response");
    }

    /// <summary>The response body, failing the probe once more than the limit has been read.</summary>
    public Stream OpenBody(Stream body) => new BoundedStream(body, maxBodyBytes);

    private void ThrowIfNotSuccess(HttpResponseMessage response, byte[] body)
    {
        if (response.IsSuccessStatusCode) return;
        var status = (int)response.StatusCode;
        if (status is >= 300 and < 400) throw new ProbeFailure(ProbeOutcome.InvalidResponse, $"HTTP {status} {Redirect(response)} not followed");
        var excerpt = Excerpt(body);
        var outcome = StatusOutcome.Classify(status, excerpt, status == 404 && protocol.SaysModelMissing(body, RequestedModel));
        var reason = status switch
        {
            < 100 or > 599 => $"HTTP {status} is not a status (100–599): {excerpt}",
            404 when outcome != ProbeOutcome.ModelMissing => $"HTTP 404: not found at {response.RequestMessage?.RequestUri?.AbsolutePath}: {excerpt}",
            _ => $"HTTP {status}: {excerpt}",
        };
        throw new ProbeFailure(outcome, reason);
    }

    /// <summary>
    /// Where a redirect points, as far as it is safe to say (no query, no user): <c>redirect to /x</c>, and whether it
    /// points back at the requested URL. A relative Location is resolved against the request.
    /// </summary>
    private static string Redirect(HttpResponseMessage response)
    {
        if (response.Headers.Location is not { } location) return "redirect without a Location";
        var requested = response.RequestMessage?.RequestUri;
        var absolute = location.IsAbsoluteUri && location.Scheme is "http" or "https" ? location
            : requested is not null && Uri.TryCreate(requested, location.OriginalString, out var resolved) ? resolved : null;
        var shown = location.IsAbsoluteUri && location.Scheme is "http" or "https"
            ? location.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
            : location.OriginalString.Split('?', '#')[0];
        var loops = absolute is not null && requested is not null
            && Uri.Compare(absolute, requested, UriComponents.HttpRequestUrl, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0;
        return loops ? $"redirect to {shown} (the requested URL itself)" : $"redirect to {shown}";
    }

    /// <summary>The offset of the first byte that is not part of valid UTF-8, or null when the body is valid.</summary>
    private static int? InvalidUtf8At(ReadOnlySpan<byte> body)
    {
        if (System.Text.Unicode.Utf8.IsValid(body)) return null;
        for (var at = 0; at < body.Length;)
        {
            if (Rune.DecodeFromUtf8(body[at..], out _, out var consumed) != System.Buffers.OperationStatus.Done) return at;
            at += consumed;
        }
        return null;
    }

    /// <summary>The start of a body on one line, cleaned, for reasons and debug output.</summary>
    private string Excerpt(byte[] body)
    {
        // The whole body, not its start: a secret is redacted before the cut, not cut in two (bodies are bounded).
        var whole = Encoding.UTF8.GetString(body).Replace('\r', ' ').Replace('\n', ' ').Replace('\t', ' ').Trim();
        return text.Shorten(whole, ExcerptChars);
    }

    private sealed class BoundedStream(Stream inner, int limit) : ReadWatchingStream(inner)
    {
        protected override void Watch(ReadOnlySpan<byte> chunk, long readSoFar)
        {
            if (readSoFar > limit) throw new ProbeFailure(ProbeOutcome.InvalidResponse, $"response body larger than {limit} bytes");
        }
    }
}
