using RelayExporter.Protocols;

namespace RelayExporter.Probing;

/// <summary>
/// One kind of check (health, models, chat, stream). A check sends its request through the protocol of the target and
/// reports what it found; timeouts, timing and recording are the handler's job, not the check's.
/// </summary>
public interface IProbeCheck
{
    string Name { get; }

    /// <returns>The outcome and what was found; throw <see cref="ProbeFailure"/> for a classified failure.</returns>
    Task<CheckFindings> RunAsync(ProbeJob job, ILlmProtocol protocol, CancellationToken cancellationToken);
}

/// <summary>What a check reports back to the handler.</summary>
public sealed record CheckFindings(ProbeOutcome Outcome, string Reason, int? StatusCode)
{
    public IReadOnlyDictionary<string, bool>? ModelsListed { get; init; }
}
