namespace RelayExporter.Configuration;

/// <summary>Spend limit for paid probes.</summary>
public sealed class BudgetOptions
{
    public double? UsdPerDay { get; set; }

    public void Validate(string key, ConfigProblems problems)
    {
        if (UsdPerDay < 0) problems.Add($"{key}:usd_per_day", $"a budget cannot be negative, got {UsdPerDay}");
    }
}
