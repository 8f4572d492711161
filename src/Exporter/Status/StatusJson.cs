using System.Text.Json;
using System.Text.Json.Serialization;

namespace RelayExporter.Status;

/// <summary>
/// The targets answer, serialized without reflection, in snake_case like every JSON answer (<c>generated_at</c>,
/// <c>latency_p50_seconds</c>).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TargetsResponse))]
internal sealed partial class StatusJson : JsonSerializerContext;
