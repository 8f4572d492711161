namespace RelayExporter.Configuration;

/// <summary>Settings of every circuit breaker, whatever its scope (Polly's advanced circuit breaker settings).</summary>
public sealed class CircuitOptions
{
    /// <summary>
    /// Failed share of the sampled probes at which the circuit opens. 0.6 with the default 3 s interval and 5 s window:
    /// one failure after a success (1 of 2) does not open it; that failure and its confirmation (2 of 3) do.
    /// </summary>
    public double FailureRatio { get; set; } = 0.6;
    public int MinimumThroughput { get; set; } = 2;
    /// <summary>Short enough that a failure and its confirmation outweigh the successes before them (detection in seconds).</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Each consecutive open multiplies the break duration by this, up to <see cref="MaxBreakDuration"/>.</summary>
    public double BreakDurationGrowth { get; set; } = 1;

    public TimeSpan MaxBreakDuration { get; set; } = TimeSpan.FromMinutes(5);

    public void Validate(string key, ConfigProblems problems)
    {
        if (FailureRatio is <= 0 or > 1) problems.Add($"{key}:failure_ratio", $"must be greater than 0 and at most 1, got {FailureRatio}");
        if (MinimumThroughput < 2) problems.Add($"{key}:minimum_throughput", $"must be at least 2, got {MinimumThroughput}");
        if (SamplingDuration < TimeSpan.FromMilliseconds(500)) problems.Add($"{key}:sampling_duration", "must be at least 500ms");
        if (BreakDuration < TimeSpan.FromMilliseconds(500)) problems.Add($"{key}:break_duration", "must be at least 500ms");
        if (BreakDurationGrowth < 1) problems.Add($"{key}:break_duration_growth", $"must be at least 1, got {BreakDurationGrowth}");
        if (MaxBreakDuration < BreakDuration) problems.Add($"{key}:max_break_duration", "must not be shorter than break_duration");
    }
}
