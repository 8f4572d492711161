using RelayExporter.Configuration;

namespace RelayExporter.Probing;

/// <summary>Identifies one probe series: a target, a check and, for per-model checks, a model.</summary>
public readonly record struct ProbeKey(string Target, string Check, string? Model)
{
    public override string ToString() => Model is null ? $"{Target}/{Check}" : $"{Target}/{Check}/{Model}";
}

/// <summary>One scheduled probe series with the settings that apply to it.</summary>
public sealed record ProbeJob(TargetOptions Target, string Check, string? Model, CheckOptions Settings)
{
    public ProbeKey Key { get; } = new(Target.Name, Check, Model);
    public TimeSpan Interval => Settings.Interval!.Value;
    public TimeSpan Timeout => Settings.Timeout!.Value;
}
