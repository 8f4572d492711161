using RelayExporter.Probing;
using RelayExporter.Outcomes;

namespace RelayExporter.Status;

/// <summary>The JSON of <c>GET /api/v1/targets</c> (documented in docs/api.md).</summary>
public sealed record TargetsResponse(DateTimeOffset GeneratedAt, SpendStatus Spend, IReadOnlyList<TargetStatus> Targets);

/// <summary>
/// What paid probes spent in the current UTC day against the budget; <c>paid_checks</c> is <c>paused</c> once the spend
/// reached it, until <c>paused_until</c> (the end of the UTC day).
/// </summary>
public sealed record SpendStatus(double SpentTodayUsd, double? BudgetUsdPerDay, double ProjectedUsdPerDay, string PaidChecks, DateTimeOffset? PausedUntil);

public sealed record TargetStatus(
    string Name, string Kind, string Protocol, string BaseUrl, string State, string? StateReason, DateTimeOffset? StateSince, int ConsecutiveFailures,
    string Circuit, IReadOnlyList<CircuitStatus> Circuits,
    string? LastOutcome, string? LastReason, DateTimeOffset? LastProbeAt, DateTimeOffset? LastSuccessAt, ProbeSummary? LastFailure, LatencySummary? Latency,
    IReadOnlyList<CheckStatus> Checks, IReadOnlyList<ModelStatus> Models, IReadOnlyList<UpstreamReport> Upstreams, IReadOnlyList<ProbeSummary> RecentProbes);

/// <summary>One of the target's own circuits (reachability, api): its state and, while open, what opened it.</summary>
public sealed record CircuitStatus(string Scope, string State, string? OpenedBy, DateTimeOffset? OpenUntil);

public sealed record ModelStatus(string Name, string State, string Circuit, string? CircuitOpenedBy, bool? Listed, string? LastOutcome, string? LastReason,
    DateTimeOffset? LastSuccessAt, ProbeSummary? LastFailure, LatencySummary? Latency, IReadOnlyList<CheckStatus> Checks);

/// <summary>
/// One check of a target or of a model: its own state, its latest probe (a probe not sent while a circuit is open
/// included), and its latest success and failure since the exporter started.
/// </summary>
public sealed record CheckStatus(string Check, string State, string? LastOutcome, string? LastReason, DateTimeOffset? LastProbeAt,
    DateTimeOffset? LastSuccessAt, ProbeSummary? LastFailure);

/// <summary>Percentiles of the recent successful probes' durations.</summary>
public sealed record LatencySummary(double P50Seconds, double P90Seconds, double P95Seconds, double P99Seconds, int Samples)
{
    public static LatencySummary? Of(IEnumerable<TimeSpan> durations)
    {
        var sorted = durations.Select(d => d.TotalSeconds).Order().ToArray();
        if (sorted.Length == 0) return null;
        double At(double quantile) => sorted[(int)Math.Ceiling(quantile * sorted.Length) - 1];
        return new LatencySummary(At(0.5), At(0.9), At(0.95), At(0.99), sorted.Length);
    }
}

public sealed record UpstreamReport(string Provider, bool? Available, double? LatencySeconds);

public sealed record ProbeSummary(DateTimeOffset At, string Check, string? Model, string Outcome, double DurationSeconds, string Reason)
{
    public static ProbeSummary Of(RecentProbe probe) =>
        new(probe.StartedAt, probe.Check, probe.Model, probe.Outcome.Label(), probe.Duration.TotalSeconds, probe.Reason);
}
