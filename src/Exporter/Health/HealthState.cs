namespace RelayExporter.Health;

/// <summary>How a target (or a model on a target) is doing, with hysteresis.</summary>
public enum HealthState { Unknown, Healthy, Degraded, Unhealthy }

public static class HealthStateValues
{
    public static readonly IReadOnlyList<HealthState> All = Enum.GetValues<HealthState>();

    // Constants, not ToString(): a label value is kept by every series that carries it.
    public static string Label(this HealthState state) => state switch
    {
        HealthState.Healthy => "healthy",
        HealthState.Degraded => "degraded",
        HealthState.Unhealthy => "unhealthy",
        _ => "unknown",
    };

    /// <summary>1 healthy, 0.5 degraded, 0 unhealthy; null while unknown (no value is better than a guess).</summary>
    public static double? Score(this HealthState state) => state switch
    {
        HealthState.Healthy => 1,
        HealthState.Degraded => 0.5,
        HealthState.Unhealthy => 0,
        _ => null,
    };
}
