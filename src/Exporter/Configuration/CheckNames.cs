namespace RelayExporter.Configuration;

/// <summary>The checks a target can run.</summary>
public static class CheckNames
{
    public const string Health = "health";
    public const string Models = "models";
    public const string Chat = "chat";
    public const string Stream = "stream";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Health, Models, Chat, Stream };

    /// <summary>Checks that send one request per configured model.</summary>
    public static bool IsPerModel(string check) => check is Chat or Stream;

    /// <summary>Checks that run a completion, which the provider bills.</summary>
    public static bool IsPaid(string check) => check is Chat or Stream;

    public static string UnknownReason(string name) => $"unknown check \"{name}\"; known checks: {string.Join(", ", All)}";
}
