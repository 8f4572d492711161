using System.Text.Json;
using System.Text.Json.Serialization;

namespace RelayExporter.Probing;

/// <summary>A probe series' settings as JSON, without reflection: the scheduler fingerprints a series by them.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SeriesSettings))]
internal sealed partial class ProbingJson : JsonSerializerContext;
