using RelayExporter.Configuration;
using RelayExporter.Probing;

namespace RelayExporter.OnDemand;

/// <summary>Turns <c>/probe</c> query parameters into a job, or into a message that says exactly what is wrong.</summary>
public static class OnDemandProbeRequest
{
    public static (ProbeJob? Job, string? Error) Resolve(ExporterOptions options, string? target, string? check, string? model)
    {
        if (string.IsNullOrEmpty(target)) return (null, "missing parameter 'target'");
        if (string.IsNullOrEmpty(check)) return (null, "missing parameter 'check'");
        var configured = options.Targets.FirstOrDefault(t => string.Equals(t.Name, target, StringComparison.OrdinalIgnoreCase));
        if (configured is null)
            return (null, $"unknown target '{target}'; configured targets: {string.Join(", ", options.Targets.Select(t => t.Name))}");
        if (CheckKinds.Find(check) is not { } kind) return (null, CheckKinds.UnknownReason(check).Replace('"', '\''));
        var checkName = kind.Name;

        if (!kind.PerModel)
        {
            if (!string.IsNullOrEmpty(model)) return (null, $"check '{checkName}' does not take a model; remove the 'model' parameter");
            return (Job(options, configured, checkName, null), null);
        }
        if (string.IsNullOrEmpty(model))
        {
            if (configured.Models.Count == 1) return (Job(options, configured, checkName, configured.Models[0]), null);
            return (null, $"check '{checkName}' needs a 'model' parameter, one of: {string.Join(", ", configured.Models)}");
        }
        var configuredModel = configured.Models.FirstOrDefault(m => string.Equals(m, model, StringComparison.OrdinalIgnoreCase));
        return configuredModel is null
            ? (null, $"unknown model '{model}' for target '{configured.Name}'; configured models: {string.Join(", ", configured.Models)}")
            : (Job(options, configured, checkName, configuredModel), null);
    }

    /// <summary>Any check can be run on demand, including one the target does not schedule.</summary>
    private static ProbeJob Job(ExporterOptions options, TargetOptions target, string check, string? model) =>
        new(target, check, model, (target.EffectiveChecks.GetValueOrDefault(check) ?? new CheckOptions())
            .Over(options.Defaults.Checks.GetValueOrDefault(check) ?? new CheckOptions())
            .Over(CheckKinds.Of(check).Defaults));
}
