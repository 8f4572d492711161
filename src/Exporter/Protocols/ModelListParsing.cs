using System.Text.Json;
using RelayExporter.Outcomes;

namespace RelayExporter.Protocols;

/// <summary>Reads the array of model objects that every protocol's models list holds under some property.</summary>
internal static class ModelListParsing
{
    public static IReadOnlySet<string> Ids(JsonElement document, string arrayProperty, string idProperty, Func<string, string>? normalise = null)
    {
        if (document.ValueKind != JsonValueKind.Object || !document.TryGetProperty(arrayProperty, out var items) || items.ValueKind != JsonValueKind.Array)
            throw new ProbeFailure(ProbeOutcome.InvalidResponse, $"models list has no \"{arrayProperty}\" array");
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty(idProperty, out var id) || id.ValueKind != JsonValueKind.String)
                throw new ProbeFailure(ProbeOutcome.InvalidResponse, $"a models list entry has no string \"{idProperty}\"");
            var value = id.GetString()!;
            ids.Add(normalise is null ? value : normalise(value));
        }
        return ids;
    }
}
