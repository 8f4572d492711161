using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RelayExporter.Probing;

/// <summary>
/// What a relay reports about itself at /health, read tolerantly: unknown fields are ignored, fields of an unexpected
/// shape are listed in <see cref="Problems"/> instead of failing the probe, and provider names are capped.
/// </summary>
public sealed partial record RelayHealthDocument(
    string? Status, IReadOnlyList<UpstreamStatus> Providers, double? ActiveNodes, double? QueueDepth, IReadOnlyList<string> Problems, int ProvidersOverCap)
{
    public const int MaxProviders = 32;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex ProviderName();

    public static RelayHealthDocument Parse(JsonElement root)
    {
        var problems = new List<string>();
        if (root.ValueKind != JsonValueKind.Object) throw new ProbeFailure(ProbeOutcome.InvalidResponse, $"health document is a JSON {root.ValueKind}, not an object");

        var status = Property(root, "status") is { } s ? s.ValueKind == JsonValueKind.String ? SharedStrings.Share(s.GetString()!) : Problem(problems, "status is not a string") : null;
        var providers = new List<UpstreamStatus>();
        var overCap = 0;
        foreach (var (name, value) in ProviderEntries(root, problems))
        {
            if (!ProviderName().IsMatch(name)) { problems.Add($"provider name \"{Truncate(name)}\" is not a plain name; ignored"); continue; }
            if (providers.Count >= MaxProviders) { overCap++; continue; }
            providers.Add(Provider(SharedStrings.Share(name), value, problems));
        }
        if (overCap > 0) problems.Add($"{overCap} providers beyond the first {MaxProviders} were ignored");
        var activeNodes = Number(root, problems, "active_nodes", "activeNodes");
        var queueDepth = Number(root, problems, "queue_depth", "queueDepth");
        // The latest document of every relay is kept: arrays, and one without problems keeps no list of its own.
        return new RelayHealthDocument(status, providers.ToArray(), activeNodes, queueDepth, problems.Count == 0 ? Array.Empty<string>() : problems, overCap);
    }

    /// <summary>Providers as an object keyed by name, or as an array of objects with a name.</summary>
    private static IEnumerable<(string Name, JsonElement Value)> ProviderEntries(JsonElement root, List<string> problems)
    {
        var providers = Property(root, "providers") ?? Property(root, "upstreams");
        switch (providers)
        {
            case null:
                yield break;
            case { ValueKind: JsonValueKind.Object } map:
                foreach (var p in map.EnumerateObject()) yield return (p.Name, p.Value);
                break;
            case { ValueKind: JsonValueKind.Array } list:
                foreach (var item in list.EnumerateArray())
                {
                    if (Property(item, "name") is { ValueKind: JsonValueKind.String } name) yield return (name.GetString()!, item);
                    else problems.Add("a providers entry has no name");
                }
                break;
            case { } other:
                problems.Add($"providers is a JSON {other.ValueKind}, expected an object or an array");
                break;
        }
    }

    private static UpstreamStatus Provider(string name, JsonElement value, List<string> problems)
    {
        bool? available = value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Object => Property(value, "available") switch
            {
                { ValueKind: JsonValueKind.True } => true,
                { ValueKind: JsonValueKind.False } => false,
                _ => Property(value, "status") is { ValueKind: JsonValueKind.String } s ? IsUp(s.GetString()!) : null,
            },
            JsonValueKind.String => IsUp(value.GetString()!),
            _ => null,
        };
        if (available is null) problems.Add($"provider {name}: availability not recognised");
        // Relays report latency in milliseconds; Prometheus wants seconds.
        var latencyMs = value.ValueKind == JsonValueKind.Object ? Number(value, problems, "latency", "latency_ms") : null;
        return new UpstreamStatus(name, available, latencyMs / 1000);
    }

    private static bool? IsUp(string status) => status.ToLowerInvariant() switch
    {
        "ok" or "up" or "healthy" or "available" or "operational" => true,
        "down" or "unhealthy" or "unavailable" or "error" or "outage" => false,
        _ => null,
    };

    private static double? Number(JsonElement owner, List<string> problems, params string[] names)
    {
        foreach (var name in names)
        {
            switch (Property(owner, name))
            {
                case { ValueKind: JsonValueKind.Number } n: return n.GetDouble();
                case { ValueKind: JsonValueKind.String } s when double.TryParse(s.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed): return parsed;
                case { } other: problems.Add($"{name} is a JSON {other.ValueKind}, expected a number"); return null;
            }
        }
        return null;
    }

    private static JsonElement? Property(JsonElement owner, string name) =>
        owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string? Problem(List<string> problems, string problem)
    {
        problems.Add(problem);
        return null;
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

/// <summary>One upstream provider as the relay reports it (a value: the latest document of every relay keeps an array of them).</summary>
public readonly record struct UpstreamStatus(string Provider, bool? Available, double? LatencySeconds);
