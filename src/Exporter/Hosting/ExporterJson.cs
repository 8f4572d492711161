using System.Text.Json;
using System.Text.Json.Serialization;
using RelayExporter.Probing;
using RelayExporter.Routing;
using RelayExporter.Status;

namespace RelayExporter.Hosting;

/// <summary>The body of an error answer: <c>{"error": "..."}</c>.</summary>
public sealed record ErrorResponse(string Error);

/// <summary>The answer to <c>POST /-/reload</c> that took the new configuration.</summary>
public sealed record ReloadedResponse(string Status, int Targets);

/// <summary>The answer to <c>POST /-/reload</c> that kept the running configuration.</summary>
public sealed record ReloadRejectedResponse(string Status, string Error, IReadOnlyList<string> Problems);

/// <summary>The answer to a circuit override: the state of each circuit it changed, after it.</summary>
public sealed record CircuitResponse(string Target, IReadOnlyList<CircuitOverridden> Circuits);

public sealed record CircuitOverridden(string Scope, string? Model, string Circuit);

/// <summary>
/// Every type the exporter writes as JSON, with serializers generated at build time: no reflection, so the same code
/// runs trimmed and under Native AOT. Property names are snake_case (<c>generated_at</c>, <c>latency_p50_seconds</c>);
/// the one-word names of the small answers read the same as before in camelCase.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TargetsResponse))]
[JsonSerializable(typeof(RouteAdvice))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(ReloadedResponse))]
[JsonSerializable(typeof(ReloadRejectedResponse))]
[JsonSerializable(typeof(CircuitResponse))]
[JsonSerializable(typeof(SeriesSettings))]
internal sealed partial class ExporterJson : JsonSerializerContext;
