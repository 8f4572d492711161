using System.Text.Json;
using System.Text.Json.Serialization;

namespace RelayExporter.Routing;

/// <summary>The route answer, serialized without reflection, in snake_case like every JSON answer.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RouteAdvice))]
internal sealed partial class RoutingJson : JsonSerializerContext;
