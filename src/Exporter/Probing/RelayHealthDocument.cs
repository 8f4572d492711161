using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using RelayExporter.Probing.Http;
using RelayExporter.Outcomes;

namespace RelayExporter.Probing;

/// <summary>
/// What a relay reports about itself at /health, read tolerantly: unknown fields are ignored, fields of an unexpected
/// shape or out of range are listed in <see cref="Problems"/> instead of failing the probe, and provider names are
/// capped. Provider names become label values: one that is not a plain name, or carries a secret or a fragment of one,
/// is refused (<see cref="RefusedValues"/>).
/// </summary>
public sealed partial record RelayHealthDocument(
    string? Status, IReadOnlyList<UpstreamStatus> Providers, double? ActiveNodes, double? QueueDepth, IReadOnlyList<string> Problems, int ProvidersOverCap)
{
    public const int MaxProviders = 32;

    // A latency over an hour, or more than a billion nodes or queued requests, is a broken document, not a measurement.
    private const double MaxLatencyMs = 3_600_000;
    private const double MaxCount = 1_000_000_000;

    /// <summary>Why each refused provider name was refused (<see cref="UpstreamValueRefusal"/>); empty when none was.</summary>
    public IReadOnlyList<string> RefusedValues { get; init; } = [];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex ProviderName();

    public static RelayHealthDocument Parse(JsonElement root, SecretRedactor secrets)
    {
        var problems = new List<string>();
        var refused = new List<string>();
        if (root.ValueKind != JsonValueKind.Object) throw new ProbeFailure(ProbeOutcome.InvalidResponse, $"health document is a JSON {root.ValueKind}, not an object");

        var status = Property(root, "status") is { } s ? s.ValueKind == JsonValueKind.String ? SharedStrings.Share(s.GetString()!) : Problem(problems, "status is not a string") : null;
        var providers = new List<UpstreamStatus>();
        var overCap = 0;
        foreach (var (name, value) in ProviderEntries(root, problems))
        {
            if (UpstreamValueRefusal.Of(name, ProviderName(), secrets) is { } refusal)
            {
                refused.Add(refusal);
                problems.Add(refusal == UpstreamValueRefusal.Secret ? "a provider name carries a credential; ignored" : $"provider name \"{secrets.Cut(name, 40)}\" is not a plain name; ignored");
                continue;
            }
            if (providers.Count >= MaxProviders) { overCap++; continue; }
            providers.Add(Provider(SharedStrings.Share(name), value, problems, secrets));
        }
        if (overCap > 0) problems.Add($"{overCap} providers beyond the first {MaxProviders} were ignored");
        var activeNodes = Number(root, problems, secrets, "", MaxCount, "active_nodes", "activeNodes");
        var queueDepth = Number(root, problems, secrets, "", MaxCount, "queue_depth", "queueDepth");
        // The latest document of every relay is kept: arrays, and one without problems keeps no list of its own.
        return new RelayHealthDocument(status, providers.ToArray(), activeNodes, queueDepth, problems.Count == 0 ? Array.Empty<string>() : problems, overCap)
        {
            RefusedValues = refused.Count == 0 ? Array.Empty<string>() : refused,
        };
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

    private static UpstreamStatus Provider(string name, JsonElement value, List<string> problems, SecretRedactor secrets)
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
        var latencyMs = value.ValueKind == JsonValueKind.Object ? Number(value, problems, secrets, $"provider {name}: ", MaxLatencyMs, "latency", "latency_ms") : null;
        return new UpstreamStatus(name, available, latencyMs / 1000);
    }

    private static bool? IsUp(string status) => status.ToLowerInvariant() switch
    {
        "ok" or "up" or "healthy" or "available" or "operational" => true,
        "down" or "unhealthy" or "unavailable" or "error" or "outage" => false,
        _ => null,
    };

    /// <summary>The first of the named fields, when it is a number from 0 to <paramref name="max"/>; anything else is a problem.</summary>
    private static double? Number(JsonElement owner, List<string> problems, SecretRedactor secrets, string subject, double max, params string[] names)
    {
        foreach (var name in names)
        {
            var field = Property(owner, name);
            var value = field switch
            {
                { ValueKind: JsonValueKind.Number } n => n.TryGetDouble(out var number) ? number : double.NaN,
                { ValueKind: JsonValueKind.String } s => double.TryParse(s.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : (double?)null,
                _ => null,
            };
            if (field is not { } present) continue;
            if (value is >= 0 && value <= max) return value; // neither NaN nor infinite
            problems.Add(value is null
                ? $"{subject}{name} is a JSON {present.ValueKind}, expected a number"
                : $"{subject}{name} {secrets.Cut(present.ValueKind == JsonValueKind.String ? present.GetString()! : present.GetRawText(), 40)} is not a number from 0 to {max.ToString(CultureInfo.InvariantCulture)}");
            return null;
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
}

/// <summary>One upstream provider as the relay reports it (a value: the latest document of every relay keeps an array of them).</summary>
public readonly record struct UpstreamStatus(string Provider, bool? Available, double? LatencySeconds);
