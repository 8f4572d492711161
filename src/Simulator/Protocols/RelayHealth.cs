using System.Text.Json.Nodes;

namespace RelayExporter.Simulator;

/// <summary>The health document relays serve at <c>GET /health</c>.</summary>
internal static class RelayHealth
{
    public const string Path = "/health";

    public static BodyResponse Document(TargetDefinition relay, string? unavailableProvider)
    {
        var providers = new JsonObject();
        foreach (var provider in relay.Providers)
        {
            providers[provider] = provider == unavailableProvider
                ? new JsonObject { ["available"] = false, ["error"] = "upstream unavailable" }
                : new JsonObject { ["available"] = true, ["latency"] = LatencyMs(provider) };
        }
        return BodyResponse.Json(200, new JsonObject
        {
            ["status"] = unavailableProvider is null ? "ok" : "degraded",
            ["providers"] = providers,
            ["active_nodes"] = 4,
            ["queue_depth"] = 2,
        });
    }

    /// <summary>Plausible, deterministic per provider, and drifting slowly: it changes once a minute.</summary>
    private static int LatencyMs(string provider)
    {
        var seed = provider.Sum(c => c);
        var minute = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60;
        return 80 + seed % 150 + (int)((minute * 7 + seed) % 20);
    }
}
