namespace RelayExporter.Outcomes;

/// <summary>Why a scheduled probe was not sent: the <c>reason</c> label of <c>relay_probes_skipped_total</c>.</summary>
public static class SkipReasons
{
    /// <summary>The target asked us to wait (Retry-After).</summary>
    public const string RetryAfter = "retry_after";

    /// <summary>A paid probe, and the target's cheap checks (health, models) say it is unhealthy: it would tell nothing more.</summary>
    public const string TargetDown = "target_down";

    /// <summary>A paid probe, and the day's spend reached the budget.</summary>
    public const string BudgetExhausted = "budget_exhausted";
}
