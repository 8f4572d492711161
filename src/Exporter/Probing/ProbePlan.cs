using System.Runtime.CompilerServices;
using RelayExporter.Configuration;

namespace RelayExporter.Probing;

/// <summary>Expands a configuration into the probe series to run: target × check, and × model for per-model checks.</summary>
public static class ProbePlan
{
    private static readonly AsyncLocal<StrongBox<int>?> Counted = new();

    public static IReadOnlyList<ProbeJob> From(ExporterOptions options)
    {
        if (Counted.Value is { } counted) counted.Value++;
        return (from target in options.Targets
                from check in target.EffectiveChecks.Keys
                let settings = options.EffectiveCheck(target, check)
                from model in CheckNames.IsPerModel(check) ? target.Models.Cast<string?>() : [null]
                select new ProbeJob(target, check, model, settings)).ToList();
    }

    /// <summary>For tests: counts the plans computed from now on by the caller's flow (its thread and its awaits), and by no other.</summary>
    internal static StrongBox<int> CountInThisFlow() => Counted.Value = new StrongBox<int>();
}
