namespace RelayExporter.Circuits;

/// <summary>A circuit: a target × model, or the target itself (model null) for its model-less checks (health, models).</summary>
public readonly record struct CircuitKey(string Target, string? Model)
{
    public override string ToString() => Model is null ? Target : $"{Target}/{Model}";
}

/// <summary>Polly's circuit states as the <c>state</c> label writes them.</summary>
public static class CircuitStateLabels
{
    public static readonly IReadOnlyList<Polly.CircuitBreaker.CircuitState> All = Enum.GetValues<Polly.CircuitBreaker.CircuitState>();

    // Constants, not ToString(): a label value is kept by every series that carries it.
    public static string Label(this Polly.CircuitBreaker.CircuitState state) => state switch
    {
        Polly.CircuitBreaker.CircuitState.Closed => "closed",
        Polly.CircuitBreaker.CircuitState.Open => "open",
        Polly.CircuitBreaker.CircuitState.HalfOpen => "half_open",
        _ => "isolated",
    };
}
