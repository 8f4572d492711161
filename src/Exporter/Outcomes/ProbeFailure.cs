namespace RelayExporter.Outcomes;

/// <summary>Thrown inside a check when the response decides the outcome; the handler turns it into a result.</summary>
public sealed class ProbeFailure(ProbeOutcome outcome, string reason) : Exception(reason)
{
    public ProbeOutcome Outcome { get; } = outcome;
}
