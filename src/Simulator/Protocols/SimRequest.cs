using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace RelayExporter.Simulator;

/// <summary>A request as the protocols see it: the body is read and parsed once, up front.</summary>
internal sealed class SimRequest
{
    private const int MaxBodyBytes = 1 << 20;

    public required string Method { get; init; }
    public required string Path { get; init; }
    public required IQueryCollection Query { get; init; }
    public required IHeaderDictionary Headers { get; init; }

    /// <summary>The parsed JSON body; null when there is none, it is too large or it is not JSON.</summary>
    public JsonElement? Body { get; init; }

    public static async Task<SimRequest> ReadAsync(HttpContext context, CancellationToken ct)
    {
        var request = context.Request;
        return new SimRequest
        {
            Method = request.Method,
            Path = request.Path.Value ?? "/",
            Query = request.Query,
            Headers = request.Headers,
            Body = HttpMethods.IsPost(request.Method) ? await ReadJsonAsync(request.Body, ct) : null,
        };
    }

    private static async Task<JsonElement?> ReadJsonAsync(Stream body, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, ct);
        if (buffer.Length is 0 or > MaxBodyBytes) return null;
        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray());
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public string? BodyString(string name) =>
        Body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;

    public bool BodyFlag(string name) =>
        Body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value.ToString() : null;
}
