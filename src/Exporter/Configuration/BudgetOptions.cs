namespace RelayExporter.Configuration;

/// <summary>Spend limit for paid probes.</summary>
public sealed class BudgetOptions
{
    public double? UsdPerDay { get; set; }

    /// <summary>
    /// Runs a schedule whose projected spend is over <see cref="UsdPerDay"/>: the budget then pauses the paid checks
    /// when the day's spend reaches it. Without it such a configuration is refused.
    /// </summary>
    public bool? AcceptProjectionOverBudget { get; set; }

    public void Validate(string key, ConfigProblems problems)
    {
        if (UsdPerDay < 0) problems.Add($"{key}:usd_per_day", $"a budget cannot be negative, got {UsdPerDay}");
        if (AcceptProjectionOverBudget is not null && UsdPerDay is null)
            problems.Add($"{key}:accept_projection_over_budget", "has no effect without usd_per_day");
    }
}
