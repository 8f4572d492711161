namespace RelayExporter.Outcomes;

/// <summary>Maps an HTTP error status to its outcome.</summary>
public static class StatusOutcome
{
    /// <param name="saysModelMissing">The body says the requested model does not exist (a 404 is then model_missing).</param>
    public static ProbeOutcome Classify(int status, string bodyExcerpt, bool saysModelMissing) => status switch
    {
        < 100 or > 599 => ProbeOutcome.InvalidResponse,
        401 or 403 => ProbeOutcome.AuthError,
        429 => ProbeOutcome.RateLimited,
        529 => ProbeOutcome.Overloaded,
        503 when bodyExcerpt.Contains("overload", StringComparison.OrdinalIgnoreCase) => ProbeOutcome.Overloaded,
        404 when saysModelMissing => ProbeOutcome.ModelMissing,
        >= 500 => ProbeOutcome.ServerError,
        >= 400 => ProbeOutcome.ClientError,
        _ => ProbeOutcome.InvalidResponse,
    };
}
