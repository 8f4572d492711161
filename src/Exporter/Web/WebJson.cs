using System.Text.Json;
using System.Text.Json.Serialization;

namespace RelayExporter.Web;

/// <summary>The body of an error answer: <c>{"error": "..."}</c>.</summary>
public sealed record ErrorResponse(string Error);

/// <summary>
/// The error answer's serializer, generated at build time. Every folder that answers JSON has a context of its own with
/// these options: no reflection (the same code runs trimmed and under Native AOT), property names in snake_case.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class WebJson : JsonSerializerContext;
