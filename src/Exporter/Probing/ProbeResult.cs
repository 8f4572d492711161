using RelayExporter.Probing.Http;
using RelayExporter.Outcomes;

namespace RelayExporter.Probing;

/// <summary>
/// What one probe found, complete: the metrics, the status API and the debug trace all read this. The result store
/// keeps the latest of every series without its <see cref="Transcript"/>.
/// </summary>
public sealed record ProbeResult
{
    public required ProbeKey Key { get; init; }
    public required ProbeOutcome Outcome { get; init; }

    /// <summary>Why the probe ended as it did, for people (logs, debug, status page) — never a metric label.</summary>
    public required string Reason { get; init; }

    public required DateTimeOffset StartedAt { get; init; }
    public TimeSpan Duration { get; init; }

    /// <summary>What the HTTP exchange measured: phases, status, version, certificate, rate limits. Null when no request was sent.</summary>
    public ProbeTrace? Trace { get; init; }

    /// <summary>What was said in the HTTP exchange (headers, start of the body), for the debug trace. Null when no request was sent, and in the result store.</summary>
    public ProbeTranscript? Transcript { get; init; }

    public IReadOnlyList<ModelListing>? ModelsListed { get; init; }
    public GenerationFindings? Generation { get; init; }
    public RelayHealthDocument? Health { get; init; }

    /// <summary>
    /// What the probe cost at the target's or the global prices; null when it got no answer or the model has no price.
    /// A token count the answer did not report is taken at its most (<see cref="ProbePricing.CostUsd"/>).
    /// </summary>
    public double? CostUsd { get; init; }

    /// <summary>The probe succeeded, but the target says it is degraded (its health document).</summary>
    public bool Degraded { get; init; }

    public int? StatusCode => Trace?.StatusCode;
    public bool Succeeded => Outcome == ProbeOutcome.Success;

    /// <summary>
    /// Whether what this probe's circuit and its own check's health judge worked: a success, or a models check whose
    /// list came back without some configured models — the API answered and took our credential; a missing model is
    /// that model's failure (<see cref="ModelsListed"/>), not the target's.
    /// </summary>
    public bool ScopeSucceeded => Succeeded || (Outcome == ProbeOutcome.ModelMissing && Key.Model is null && ModelsListed is not null);

    /// <summary>This result with the listings of the configured <paramref name="models"/> only; itself when it lists no other.</summary>
    public ProbeResult ListingOnly(IReadOnlySet<(string Target, string Model)> models)
    {
        if (ModelsListed is not { } listed || listed.All(l => models.Contains((Key.Target, l.Model)))) return this;
        return this with { ModelsListed = [.. listed.Where(l => models.Contains((Key.Target, l.Model)))] };
    }
}
