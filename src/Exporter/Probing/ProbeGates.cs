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
    private readonly IProbeGate[] _gates = [.. gates]; // an array: a foreach over an interface list allocates

    public IReadOnlyList<IProbeGate> InOrder => _gates;

    public string? SkipReason(ProbeJob job)
    {
        foreach (var gate in _gates)
            if (gate.SkipReason(job) is { } reason) return reason;
        return null;
    }
}
