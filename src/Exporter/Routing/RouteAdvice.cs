namespace RelayExporter.Routing;

/// <summary>The JSON of <c>GET /api/v1/route?model=M</c> (documented in docs/api.md).</summary>
public sealed record RouteAdvice(string RequestedModel, string? Model, FallbackNote? Fallback, IReadOnlyList<RouteCandidate> Targets, string? Reason);

/// <summary>Why the answer is for another model than the one asked for.</summary>
public sealed record FallbackNote(string From, string To, string Reason);

public sealed record RouteCandidate(string Target, string BaseUrl, string Model, string State, string Circuit, double? LatencyP50Seconds);
