namespace RelayExporter.Probing;

/// <summary>Asked before a scheduled probe is sent: why it must not be sent now, or null to send it.</summary>
public interface IProbeGate
{
    /// <returns>One of <see cref="Outcomes.SkipReasons"/>, or null.</returns>
    string? SkipReason(ProbeJob job);
}

/// <summary>The gates a scheduled probe passes, asked in the order given (the composition root writes it); the first that holds it back says why.</summary>
public sealed class ProbeGates(IReadOnlyList<IProbeGate> gates)
{
    public IReadOnlyList<IProbeGate> InOrder { get; } = gates;

    public string? SkipReason(ProbeJob job)
    {
        foreach (var gate in InOrder)
            if (gate.SkipReason(job) is { } reason) return reason;
        return null;
    }
}
