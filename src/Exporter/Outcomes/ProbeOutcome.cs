namespace RelayExporter.Outcomes;

/// <summary>How a probe ended. Every probe ends in exactly one.</summary>
public enum ProbeOutcome
{
    Success,
    Timeout,
    DnsError,
    ConnectError,
    TlsError,
    AuthError,
    RateLimited,
    Overloaded,
    ServerError,
    ClientError,
    InvalidResponse,
    ContentMismatch,
    StreamError,
    ModelMissing,
    /// <summary>A chat or stream answer came from another model than the one asked for.</summary>
    ModelSubstituted,
    /// <summary>The target answered its health check, and its health document says it is down.</summary>
    UpstreamDown,
    CircuitOpen,
}

public static class ProbeOutcomeLabels
{
    private static readonly string[] Labels = Enum.GetNames<ProbeOutcome>()
        .Select(System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName)
        .ToArray();

    /// <summary>The outcome as it appears in the <c>outcome</c> label, e.g. <c>rate_limited</c>.</summary>
    public static string Label(this ProbeOutcome outcome) => Labels[(int)outcome];

    public static IReadOnlyList<string> All => Labels;
}

public static class ProbeOutcomeSending
{
    /// <summary>
    /// Whether the probe went out to the target. One held back by its open circuit did not: it took no time, cost
    /// nothing and says nothing of the target, so it is neither a success nor a failure to whatever records it.
    /// </summary>
    public static bool WasSent(this ProbeOutcome outcome) => outcome != ProbeOutcome.CircuitOpen;
}
