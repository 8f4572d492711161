using System.Runtime.CompilerServices;
using RelayExporter.Configuration;

namespace RelayExporter.Probing;

/// <summary>
/// Expands a configuration into the probe series to run: target × check, and × model for per-model checks. A series
/// carries its kind's name however the configuration spells it (<c>Chat</c> runs as <c>chat</c>).
/// </summary>
public static class ProbePlan
{
    private static readonly AsyncLocal<StrongBox<int>?> Counted = new();

    public static IReadOnlyList<ProbeJob> From(ExporterOptions options)
    {
        if (Counted.Value is { } counted) counted.Value++;
        return (from target in options.Targets
                from check in target.EffectiveChecks.Keys
                let kind = CheckKinds.Of(check)
                let settings = options.EffectiveCheck(target, check)
                from model in kind.PerModel ? target.Models.Cast<string?>() : [null]
                select new ProbeJob(target, kind.Name, model, settings)).ToList();
    }

    /// <summary>For tests: counts the plans computed from now on by the caller's flow (its thread and its awaits), and by no other.</summary>
    internal static StrongBox<int> CountInThisFlow() => Counted.Value = new StrongBox<int>();
}
