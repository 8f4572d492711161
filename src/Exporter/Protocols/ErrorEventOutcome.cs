using RelayExporter.Outcomes;

namespace RelayExporter.Protocols;

/// <summary>
/// The outcome of an error event inside a 200 stream: what its type or code says it is — an invalid key, a rate
/// limit, an overload — as a status would have said before the stream began; anything else is a stream error.
/// One table for every protocol (<see cref="ILlmProtocol.ErrorEventOutcome"/>): a relay speaking one protocol passes
/// on the error types of the provider behind it.
/// </summary>
public static class ErrorEventOutcome
{
    private static readonly HashSet<string> Auth = new(StringComparer.OrdinalIgnoreCase)
        { "authentication_error", "permission_error", "invalid_api_key", "invalid_key", "unauthenticated", "permission_denied", "unauthorized", "401", "403" };

    private static readonly HashSet<string> RateLimit = new(StringComparer.OrdinalIgnoreCase)
        { "rate_limit_error", "rate_limit_exceeded", "rate_limited", "resource_exhausted", "429" };

    private static readonly HashSet<string> Overload = new(StringComparer.OrdinalIgnoreCase) { "overloaded_error", "overloaded", "529" };

    /// <param name="type">The event's error type (OpenAI <c>type</c>, Anthropic <c>type</c>, Gemini <c>status</c>).</param>
    /// <param name="code">Its code, when it has one: a string (<c>invalid_api_key</c>) or an HTTP status (<c>429</c>).</param>
    public static ProbeOutcome Classify(string type, string? code, string? message)
    {
        string[] values = code is null ? [type] : [type, code];
        foreach (var value in values)
        {
            if (Auth.Contains(value)) return ProbeOutcome.AuthError;
            if (RateLimit.Contains(value)) return ProbeOutcome.RateLimited;
            if (Overload.Contains(value)) return ProbeOutcome.Overloaded;
        }
        // As for a 503 status: Gemini says UNAVAILABLE, 503, "The model is overloaded".
        return code == "503" && message?.Contains("overload", StringComparison.OrdinalIgnoreCase) == true ? ProbeOutcome.Overloaded : ProbeOutcome.StreamError;
    }
}
