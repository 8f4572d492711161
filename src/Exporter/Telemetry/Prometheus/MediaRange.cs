namespace RelayExporter.Telemetry.Prometheus;

/// <summary>One parsed element of an <c>Accept</c> header (types and parameter names lower-cased).</summary>
internal sealed record MediaRange(string Type, string Subtype, IReadOnlyDictionary<string, string> Parameters, double Quality);
