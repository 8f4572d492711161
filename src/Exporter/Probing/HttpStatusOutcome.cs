using System.Net;

namespace RelayExporter.Probing;

/// <summary>Maps an HTTP error status to its outcome.</summary>
public static class HttpStatusOutcome
{
    public static ProbeOutcome Classify(HttpStatusCode status, string bodyExcerpt) => (int)status switch
    {
        401 or 403 => ProbeOutcome.AuthError,
        429 => ProbeOutcome.RateLimited,
        529 => ProbeOutcome.Overloaded,
        503 when bodyExcerpt.Contains("overload", StringComparison.OrdinalIgnoreCase) => ProbeOutcome.Overloaded,
        // Every provider answers an unknown model with a 404 that names the model.
        404 when bodyExcerpt.Contains("model", StringComparison.OrdinalIgnoreCase) => ProbeOutcome.ModelMissing,
        >= 500 => ProbeOutcome.ServerError,
        >= 400 => ProbeOutcome.ClientError,
        _ => ProbeOutcome.InvalidResponse,
    };
}
