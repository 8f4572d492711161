namespace RelayExporter.Configuration;

/// <summary>Hysteresis of the health state machine.</summary>
public sealed class HealthOptions
{
    public int FailuresToUnhealthy { get; set; } = 2;
    public int SuccessesToRecover { get; set; } = 2;

    /// <summary>A successful probe slower than this makes the target degraded.</summary>
    public TimeSpan DegradedLatency { get; set; } = TimeSpan.FromSeconds(3);

    public void Validate(string key, ConfigProblems problems)
    {
        if (FailuresToUnhealthy < 1) problems.Add($"{key}:failures_to_unhealthy", $"must be at least 1, got {FailuresToUnhealthy}");
        if (SuccessesToRecover < 1) problems.Add($"{key}:successes_to_recover", $"must be at least 1, got {SuccessesToRecover}");
        if (DegradedLatency <= TimeSpan.Zero) problems.Add($"{key}:degraded_latency", "must be greater than zero");
    }
}
