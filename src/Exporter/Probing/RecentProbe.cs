using RelayExporter.Outcomes;

namespace RelayExporter.Probing;

/// <summary>One of a target's recent probes, as its history keeps it: what the status API and page show of it.</summary>
public readonly record struct RecentProbe(DateTimeOffset StartedAt, string Check, string? Model, ProbeOutcome Outcome, TimeSpan Duration, string Reason)
{
    public bool Succeeded => Outcome == ProbeOutcome.Success;
}
