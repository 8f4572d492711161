namespace RelayExporter.Outcomes;

/// <summary>Thrown inside a check when the response decides the outcome; the handler turns it into a result.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710", Justification = "Named for the failed probe it carries, never thrown out of the handler.")]
public sealed class ProbeFailure(ProbeOutcome outcome, string reason) : Exception(reason)
{
    public ProbeOutcome Outcome { get; } = outcome;
}
