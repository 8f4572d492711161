using System.Text;
using System.Text.Json;

namespace RelayExporter.Probing;

/// <summary>Reads response bodies within a size limit and turns what an upstream sends into a classified failure.</summary>
public static class ResponseBody
{
    private const int ExcerptBytes = 512;
    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 64 };

    public static async Task<byte[]> ReadAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw new ProbeFailure(ProbeOutcome.InvalidResponse, $"response body larger than {maxBytes} bytes", (int)response.StatusCode);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>Fails the probe with the outcome of a non-success status, or of a 2xx that is not JSON.</summary>
    public static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        var body = await ReadAsync(response, maxBytes, cancellationToken);
        var status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode)
        {
            var excerpt = Excerpt(body);
            throw new ProbeFailure(HttpStatusOutcome.Classify(response.StatusCode, excerpt), $"HTTP {status}: {excerpt}", status);
        }
        if (response.Content.Headers.ContentType?.MediaType is { } mediaType && mediaType.Contains("html", StringComparison.OrdinalIgnoreCase))
            throw new ProbeFailure(ProbeOutcome.InvalidResponse, $"HTTP {status} with an HTML page instead of JSON", status);
        try
        {
            return JsonDocument.Parse(body, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ProbeFailure(ProbeOutcome.InvalidResponse, $"HTTP {status} body is not valid JSON: {e.Message}", status);
        }
    }

    /// <summary>The start of a body as printable text, for reasons and debug output.</summary>
    public static string Excerpt(ReadOnlySpan<byte> body)
    {
        var text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, ExcerptBytes)]);
        var printable = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return body.Length > ExcerptBytes ? printable + "…" : printable;
    }
}
