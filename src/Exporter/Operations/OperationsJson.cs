using System.Text.Json;
using System.Text.Json.Serialization;

namespace RelayExporter.Operations;

/// <summary>The answer to <c>POST /-/reload</c> that took the new configuration.</summary>
public sealed record ReloadedResponse(string Status, int Targets);

/// <summary>The answer to <c>POST /-/reload</c> that kept the running configuration.</summary>
public sealed record ReloadRejectedResponse(string Status, string Error, IReadOnlyList<string> Problems);

/// <summary>The reload answers, serialized without reflection, in snake_case like every JSON answer.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ReloadedResponse))]
[JsonSerializable(typeof(ReloadRejectedResponse))]
internal sealed partial class OperationsJson : JsonSerializerContext;
