namespace RelayExporter.Probing;

/// <summary>What one probe found. Checks fill in what applies to them; the handler adds timing and outcome.</summary>
public sealed record ProbeResult
{
    public required ProbeKey Key { get; init; }
    public required ProbeOutcome Outcome { get; init; }

    /// <summary>Why the probe ended as it did, for people (logs, debug, status page) — never a metric label.</summary>
    public required string Reason { get; init; }

    public required DateTimeOffset StartedAt { get; init; }
    public TimeSpan Duration { get; init; }
    public int? StatusCode { get; init; }

    /// <summary>Models check: each configured model and whether the target lists it.</summary>
    public IReadOnlyDictionary<string, bool>? ModelsListed { get; init; }

    public bool Succeeded => Outcome == ProbeOutcome.Success;
}
