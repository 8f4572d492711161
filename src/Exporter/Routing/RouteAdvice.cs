namespace RelayExporter.Routing;

/// <summary>The JSON of <c>GET /api/v1/route?model=M</c> (documented in docs/api.md).</summary>
public sealed record RouteAdvice(
    string RequestedModel, string? Model, FallbackNote? Fallback, IReadOnlyList<RouteCandidate> Targets, IReadOnlyList<RouteExclusion> Excluded, string? Reason);

/// <summary>Why the answer is for another model than the one asked for.</summary>
public sealed record FallbackNote(string From, string To, string Reason);

/// <summary>A target that can serve the model, and why it ranks where it does, e.g. "healthy, p50 320 ms".</summary>
public sealed record RouteCandidate(string Target, string BaseUrl, string Model, string State, string Circuit, double? LatencyP50Seconds, string Reason);

/// <summary>A target configured for the model that must not serve it now, and why, e.g. "circuit open".</summary>
public sealed record RouteExclusion(string Target, string Model, string Reason);
