namespace RelayExporter.Configuration;

/// <summary>Every kind of check a target can run, with what the configuration needs to know of each.</summary>
public static class CheckKinds
{
    // Cheap checks run often — every 3 s, so that with the 1 s confirmation probe a hard outage is confirmed within
    // 5 s — and paid checks rarely.

    /// <summary>
    /// The status values of the common health documents: LiteLLM (healthy/unhealthy), Spring Boot and Kubernetes style
    /// (UP/DOWN/OUT_OF_SERVICE), the IETF health check draft (pass/warn/fail), Node.js libraries (ok/error).
    /// </summary>
    public static readonly CheckKind Health = new("health", TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2), new()
    {
        Path = "/health", Document = HealthDocument.Json, StatusField = "status",
        HealthyValues = ["ok", "healthy", "up", "pass"],
        DegradedValues = ["degraded", "warn", "warning"],
        DownValues = ["down", "unhealthy", "fail", "failed", "error", "out_of_service"],
    }) { ReadsHealthDocument = true, ApiPath = false };

    public static readonly CheckKind Models = new("models", TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3));

    public static readonly CheckKind Chat = new("chat", TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30), Completion())
        { PerModel = true, Paid = true };

    public static readonly CheckKind Stream = new("stream", TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30), Completion())
        { PerModel = true, Paid = true };

    /// <summary>In the order the status page shows them.</summary>
    public static readonly IReadOnlyList<CheckKind> All = [Health, Models, Chat, Stream];

    private static readonly Dictionary<string, CheckKind> ByName = All.ToDictionary(k => k.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The kind of that name (any case); null when there is none.</summary>
    public static CheckKind? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The kind of a check the configuration has already validated.</summary>
    public static CheckKind Of(string name) => Find(name) ?? throw new ArgumentException(UnknownReason(name), nameof(name));

    public static bool IsKnown(string name) => ByName.ContainsKey(name);

    public static string UnknownReason(string name) => $"unknown check \"{name}\"; known checks: {string.Join(", ", All.Select(k => k.Name))}";

    private static CheckOptions Completion() => new() { Prompt = "Reply with OK", Expect = "OK", MaxTokens = 5 };
}
