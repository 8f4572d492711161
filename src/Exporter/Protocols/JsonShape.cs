using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RelayExporter.Outcomes;

namespace RelayExporter.Protocols;

/// <summary>Tolerant reading of upstream JSON: optional values are null when absent or of another type; required ones fail the probe.</summary>
internal static class JsonShape
{
    public static JsonElement? Get(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static JsonElement? Object(JsonElement element, string property) => Get(element, property) is { ValueKind: JsonValueKind.Object } o ? o : null;

    public static string? String(JsonElement element, string property) => Get(element, property) is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;

    /// <summary>A string, or a number as written (error codes are either: <c>"invalid_api_key"</c>, <c>401</c>).</summary>
    public static string? Text(JsonElement element, string property) => Get(element, property) switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        _ => null,
    };

    public static long? Long(JsonElement element, string property) =>
        Get(element, property) is { ValueKind: JsonValueKind.Number } n && n.TryGetInt64(out var value) ? value : null;

    public static bool Bool(JsonElement element, string property) => Get(element, property) is { ValueKind: JsonValueKind.True };

    /// <summary>The first element of an array property, or null when it is absent or empty.</summary>
    public static JsonElement? First(JsonElement element, string property) =>
        Get(element, property) is { ValueKind: JsonValueKind.Array } array && array.GetArrayLength() > 0 ? array[0] : null;

    public static IEnumerable<JsonElement> Array(JsonElement element, string property) =>
        Get(element, property) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    public static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    public static ProbeFailure WrongShape(string what) => new(ProbeOutcome.InvalidResponse, $"unexpected response shape: {what}");

    /// <summary>Parses one stream event's data; a frame that is not JSON is an invalid response.</summary>
    public static JsonDocument ParseFrame(string data)
    {
        try
        {
            return JsonDocument.Parse(data, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new ProbeFailure(ProbeOutcome.InvalidResponse, $"stream event is not valid JSON: {e.Message}");
        }
    }

    public static HttpContent Content(JsonObject body) => new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
}
