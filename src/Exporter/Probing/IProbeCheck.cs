using RelayExporter.Configuration;
using RelayExporter.Probing.Http;
using RelayExporter.Protocols;
using RelayExporter.Outcomes;

namespace RelayExporter.Probing;

/// <summary>
/// What runs one kind of check (health, models, chat, stream). A check sends its request through the target's protocol
/// and judges the response; the timeout, timing, error classification and recording are the handler's job.
/// </summary>
public interface IProbeCheck
{
    /// <summary>The kind of check this runs: its name, and what the configuration and the schedule know of it.</summary>
    CheckKind Kind { get; }

    /// <returns>What was found; throw <see cref="ProbeFailure"/> for a classified failure.</returns>
    Task<CheckFindings> RunAsync(ProbeContext context, CancellationToken cancellationToken);
}

/// <summary>Everything a check needs for one probe.</summary>
public sealed record ProbeContext(ProbeJob Job, ILlmProtocol Protocol, ProbeExchange Exchange)
{
    public TargetOptions Target => Job.Target;
    public CheckOptions Settings => Job.Settings;
}

/// <summary>What a check reports back to the handler: an outcome, why, and what it measured.</summary>
public sealed record CheckFindings(ProbeOutcome Outcome, string Reason)
{
    /// <summary>Models check: each configured model, in configuration order, and whether the target lists it.</summary>
    public IReadOnlyList<ModelListing>? ModelsListed { get; init; }

    /// <summary>Chat and stream checks: tokens and timings of the generated answer.</summary>
    public GenerationFindings? Generation { get; init; }

    /// <summary>Health check: what the relay says about itself.</summary>
    public RelayHealthDocument? Health { get; init; }

    /// <summary>Health check: the target answered, and says it is degraded.</summary>
    public bool Degraded { get; init; }
}

/// <summary>
/// Whether the target's models list offers a configured model. A list of these rather than a dictionary: the latest
/// result of every models series is kept, and a dictionary of one model is ~200 bytes more.
/// </summary>
public readonly record struct ModelListing(string Model, bool Listed);

/// <summary>What a chat or stream probe measured of the model's answer.</summary>
public sealed record GenerationFindings(Protocols.TokenUsage? Usage, TimeSpan? TimeToFirstToken, TimeSpan? TimePerOutputToken)
{
    /// <summary>The model the answer names, when a label may carry it (<see cref="Checks.AnsweringModel.AsLabel"/>).</summary>
    public string? ResponseModel { get; init; }

    /// <summary>Stream check: for each token-bearing chunk after the first, the time since the one before it.</summary>
    public IReadOnlyList<TimeSpan> ChunkGaps { get; init; } = [];
}
