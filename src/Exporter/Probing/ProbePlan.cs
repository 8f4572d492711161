using RelayExporter.Configuration;

namespace RelayExporter.Probing;

/// <summary>Plans a configuration into the probe series to run; the exporter's is <see cref="ProbePlan.From"/>.</summary>
public delegate IReadOnlyList<ProbeJob> ProbePlanner(ExporterOptions options);

/// <summary>
/// Expands a configuration into the probe series to run: target × check, and × model for per-model checks. A series
/// carries its kind's name however the configuration spells it (<c>Chat</c> runs as <c>chat</c>).
/// </summary>
public static class ProbePlan
{
    public static IReadOnlyList<ProbeJob> From(ExporterOptions options)
    {
        return (from target in options.Targets
                from check in target.EffectiveChecks.Keys
                let kind = CheckKinds.Of(check)
                let settings = options.EffectiveCheck(target, check)
                from model in kind.PerModel ? target.Models.Cast<string?>() : [null]
                select new ProbeJob(target, kind.Name, model, settings)).ToList();
    }
}
