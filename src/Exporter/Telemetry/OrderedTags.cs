using System.Diagnostics;
using RelayExporter.Circuits;
using RelayExporter.Probing;

namespace RelayExporter.Telemetry;

/// <summary>
/// Tags in ordinal key order. OpenTelemetry keys each series by its tags as given and, when that order is not sorted,
/// by a sorted copy as well: two dictionary entries and two tag arrays per series (~25 MB at 10,000 probe series).
/// Every measurement of ours passes its tags sorted, so each series is stored once.
/// </summary>
internal static class OrderedTags
{
    /// <summary>These tags with one more, inserted where its key sorts.</summary>
    public static TagList With(this TagList tags, string key, object? value)
    {
        var copy = tags;
        var index = 0;
        while (index < copy.Count && string.CompareOrdinal(copy[index].Key, key) < 0) index++;
        copy.Insert(index, new KeyValuePair<string, object?>(key, value));
        return copy;
    }

    /// <summary>A probe series' tags: its check, its model when it has one, its target.</summary>
    public static TagList ForProbe(ProbeKey key)
    {
        var tags = new TagList { { "check", key.Check } };
        if (key.Model is not null) tags.Add("model", key.Model);
        tags.Add("target", key.Target);
        return tags;
    }

    /// <summary>A circuit's tags: its model (model scope only), its scope, its target.</summary>
    public static TagList ForCircuit(CircuitKey key)
    {
        var tags = new TagList();
        if (key.Model is not null) tags.Add("model", key.Model);
        tags.Add("scope", key.Scope.Label());
        tags.Add("target", key.Target);
        return tags;
    }

    /// <summary>The target's tags, and the model's when there is one.</summary>
    public static TagList ForTarget(string target, string? model)
    {
        var tags = new TagList();
        if (model is not null) tags.Add("model", model);
        tags.Add("target", target);
        return tags;
    }
}
