namespace RelayExporter.Configuration;

/// <summary>How the scheduler sends probes.</summary>
public sealed class ProbingOptions
{
    /// <summary>Probes in flight at once, across all targets.</summary>
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>After a failed probe, the same probe runs again this soon to confirm the failure.</summary>
    public TimeSpan ConfirmationInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A paid check whose failure was confirmed while its target's cheap checks pass, or that was held back while the
    /// target was down, runs again this soon (when sooner than its interval) until it succeeds, so that the model's
    /// recovery shows in this time rather than a whole interval; the budget caps what it spends.
    /// </summary>
    public TimeSpan PaidRecheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Largest response body read; a larger one is an invalid response.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The longest pause a Retry-After is honoured for: a longer one (a hostile or broken value can ask for hours)
    /// pauses the target this long.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(5);

    public void Validate(string key, ConfigProblems problems)
    {
        if (MaxConcurrency < 1) problems.Add($"{key}:max_concurrency", $"must be at least 1, got {MaxConcurrency}");
        if (ConfirmationInterval <= TimeSpan.Zero) problems.Add($"{key}:confirmation_interval", "must be greater than zero");
        if (PaidRecheckInterval < CheckOptions.MinimumInterval)
            problems.Add($"{key}:paid_recheck_interval", $"must be at least {PrometheusDuration.Format(CheckOptions.MinimumInterval)}");
        if (MaxRetryAfter <= TimeSpan.Zero) problems.Add($"{key}:max_retry_after", "must be greater than zero");
        if (MaxBodyBytes < 1024) problems.Add($"{key}:max_body_bytes", $"must be at least 1024, got {MaxBodyBytes}");
    }
}
