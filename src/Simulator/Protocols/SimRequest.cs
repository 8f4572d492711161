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

    /// <summary>The parsed JSON body; null when there is none or it is not JSON (see <see cref="BodyMalformed"/>).</summary>
    public JsonElement? Body { get; init; }
    public bool BodyMalformed { get; init; }

    public static async Task<SimRequest> ReadAsync(HttpContext context, CancellationToken ct)
    {
        var request = context.Request;
        JsonElement? body = null;
        var malformed = false;
        if (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method))
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, ct);
            if (buffer.Length > MaxBodyBytes || buffer.Length == 0)
            {
                malformed = true;
            }
            else
            {
                try
                {
                    using var document = JsonDocument.Parse(buffer.ToArray());
                    body = document.RootElement.Clone();
                }
                catch (JsonException)
                {
                    malformed = true;
                }
            }
        }
        return new SimRequest
        {
            Method = request.Method,
            Path = request.Path.Value ?? "/",
            Query = request.Query,
            Headers = request.Headers,
            Body = body,
            BodyMalformed = malformed,
        };
    }

    public string? BodyString(string name) =>
        Body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;

    public bool BodyFlag(string name) =>
        Body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value.ToString() : null;
}
