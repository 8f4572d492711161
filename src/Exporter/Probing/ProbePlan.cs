using RelayExporter.Configuration;

namespace RelayExporter.Probing;

/// <summary>Expands a configuration into the probe series to run: target × check, and × model for per-model checks.</summary>
public static class ProbePlan
{
    public static IReadOnlyList<ProbeJob> From(ExporterOptions options) =>
        (from target in options.Targets
         from check in target.EffectiveChecks.Keys
         let settings = options.EffectiveCheck(target, check)
         from model in CheckKinds.Of(check).PerModel ? target.Models.Cast<string?>() : [null]
         select new ProbeJob(target, check, model, settings)).ToList();
}
