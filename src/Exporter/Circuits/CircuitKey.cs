using RelayExporter.Configuration;
using RelayExporter.Probing;

namespace RelayExporter.Circuits;

/// <summary>
/// What a circuit protects, and so which probes feed it and which it holds back. Each check gates only what its own
/// failures say is broken: a health document fetched without a credential says nothing about a revoked key, and a
/// revoked key says nothing about whether the relay is up.
/// </summary>
public enum CircuitScope
{
    /// <summary>The target answers at all: its health check (no credential).</summary>
    Reachability,

    /// <summary>The target's API accepts our credential: its models check (credentialed, free).</summary>
    Api,

    /// <summary>One model on the target serves: its chat and stream checks.</summary>
    Model,
}

/// <summary>A circuit: a target's reachability or API, or a target × model.</summary>
public readonly record struct CircuitKey(string Target, CircuitScope Scope, string? Model)
{
    public static CircuitKey Reachability(string target) => new(target, CircuitScope.Reachability, null);

    public static CircuitKey Api(string target) => new(target, CircuitScope.Api, null);

    public static CircuitKey ForModel(string target, string model) => new(target, CircuitScope.Model, model);

    /// <summary>The circuit that gates (and is fed by) this probe series.</summary>
    public static CircuitKey Of(ProbeKey probe) =>
        probe.Model is { } model ? ForModel(probe.Target, model)
        : string.Equals(probe.Check, CheckKinds.Health.Name, StringComparison.OrdinalIgnoreCase) ? Reachability(probe.Target)
        : Api(probe.Target);

    /// <summary>
    /// Every circuit of the target: its reachability and its API when it runs the health and the models check, and one
    /// per model (an operator may isolate a model to keep routing away from it, probed or not).
    /// </summary>
    public static IEnumerable<CircuitKey> AllOf(TargetOptions target)
    {
        var checks = target.EffectiveChecks.Keys;
        if (checks.Contains(CheckKinds.Health.Name, StringComparer.OrdinalIgnoreCase)) yield return Reachability(target.Name);
        if (checks.Contains(CheckKinds.Models.Name, StringComparer.OrdinalIgnoreCase)) yield return Api(target.Name);
        foreach (var model in target.Models) yield return ForModel(target.Name, model);
    }

    public override string ToString() => Model is null ? $"{Target}/{Scope.Label()}" : $"{Target}/{Model}";
}

/// <summary>Circuit scopes and Polly's circuit states as the <c>scope</c> and <c>state</c> labels write them.</summary>
public static class CircuitStateLabels
{
    public static readonly IReadOnlyList<Polly.CircuitBreaker.CircuitState> All = Enum.GetValues<Polly.CircuitBreaker.CircuitState>();

    public static readonly IReadOnlyList<CircuitScope> Scopes = Enum.GetValues<CircuitScope>();

    // Constants, not ToString(): a label value is kept by every series that carries it.
    public static string Label(this Polly.CircuitBreaker.CircuitState state) => state switch
    {
        Polly.CircuitBreaker.CircuitState.Closed => "closed",
        Polly.CircuitBreaker.CircuitState.Open => "open",
        Polly.CircuitBreaker.CircuitState.HalfOpen => "half_open",
        _ => "isolated",
    };

    public static string Label(this CircuitScope scope) => scope switch
    {
        CircuitScope.Reachability => "reachability",
        CircuitScope.Api => "api",
        _ => "model",
    };

    public static CircuitScope? ParseScope(string text) => Scopes.Cast<CircuitScope?>().FirstOrDefault(s => s!.Value.Label() == text);

    /// <summary>How much a state keeps probes (and traffic) away: closed, half-open, open, isolated.</summary>
    public static int Severity(this Polly.CircuitBreaker.CircuitState state) => state switch
    {
        Polly.CircuitBreaker.CircuitState.Closed => 0,
        Polly.CircuitBreaker.CircuitState.HalfOpen => 1,
        Polly.CircuitBreaker.CircuitState.Open => 2,
        _ => 3,
    };
}
