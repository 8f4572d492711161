using System.Text.Json;
using System.Text.Json.Serialization;

namespace RelayExporter.Circuits;

/// <summary>The answer to a circuit override: the state of each circuit it changed, after it.</summary>
public sealed record CircuitResponse(string Target, IReadOnlyList<CircuitOverridden> Circuits);

public sealed record CircuitOverridden(string Scope, string? Model, string Circuit);

/// <summary>The circuit override's answer, serialized without reflection, in snake_case like every JSON answer.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(CircuitResponse))]
internal sealed partial class CircuitsJson : JsonSerializerContext;
