using RelayExporter.Configuration;
using RelayExporter.Probing;
using static RelayExporter.Probing.ProbePricing;

namespace RelayExporter.Spending;

/// <summary>
/// What the schedule's paid checks can spend in a day, at most: every probe of every paid series, each billing its prompt
/// and all of its max_tokens. Confirmations of failures come on top (a failed probe is rarely billed); the budget caps
/// what is actually spent.
/// </summary>
public sealed record SpendProjection(double UsdPerDay, IReadOnlyList<SeriesProjection> Series, IReadOnlyList<ProbeKey> Unpriced)
{
    private const int Listed = 5;

    public static SpendProjection Of(ExporterOptions options) => Of(options, ProbePlan.From(options));

    /// <param name="plan">The configuration's plan, <see cref="ProbePlan.From"/> of <paramref name="options"/>.</param>
    public static SpendProjection Of(ExporterOptions options, IReadOnlyList<ProbeJob> plan)
    {
        var priced = new List<SeriesProjection>();
        var unpriced = new List<ProbeKey>();
        foreach (var job in plan.Where(j => CheckKinds.Of(j.Check).Paid))
        {
            if (options.PriceOf(job.Target, job.Model!) is not { } price) { unpriced.Add(job.Key); continue; }
            priced.Add(new SeriesProjection(job.Key, Math.Ceiling(TimeSpan.FromDays(1) / job.Interval), UpperBoundUsd(price, job.Settings)));
        }
        return new SpendProjection(priced.Sum(s => s.UsdPerDay), priced, unpriced);
    }

    /// <summary>
    /// The configuration's budget against its projection, as the loader's <see cref="ConfigCheck"/>: the projection reads
    /// the effective settings, which only a configuration without other problems has.
    /// </summary>
    public static void CheckBudget(ExporterOptions options, ConfigProblems problems) => Of(options).Validate(options.Budget, problems);

    /// <summary>A budget is refused when it cannot be kept: a paid series it cannot count, or a projection over it that was not accepted.</summary>
    public void Validate(BudgetOptions budget, ConfigProblems problems)
    {
        if (budget.UsdPerDay is not { } limit) return;
        if (Unpriced.Count > 0)
            problems.Add("budget:usd_per_day", $"cannot be kept: {Unpriced.Count} paid series have no price, so what they spend cannot be counted " +
                $"({List(Unpriced.Select(k => k.ToString()), Unpriced.Count)}); add their models to prices, or to the target's prices");
        if (UsdPerDay > limit && budget.AcceptProjectionOverBudget != true)
            problems.Add("budget:usd_per_day", $"the paid checks can spend up to {Usd(UsdPerDay)} a day, over the budget of {Usd(limit)} " +
                $"({List(Series.OrderByDescending(s => s.UsdPerDay).Select(s => s.ToString()), Series.Count)}); lengthen their interval, " +
                "lower their max_tokens, raise the budget, or set budget.accept_projection_over_budget: true to run them paused once the day's spend reaches the budget");
    }

    /// <summary>One line for people: the projection, stated as the upper bound it is, against the budget.</summary>
    public string Summary(BudgetOptions budget)
    {
        var line = $"paid checks: at most {Usd(UsdPerDay)} a day from {Series.Count} priced series (upper bound: every probe billed its prompt and max_tokens)";
        line += budget.UsdPerDay is { } limit
            ? UsdPerDay > limit ? $", over the budget of {Usd(limit)} a day (accepted: paid checks pause once the day's spend reaches it)" : $", within the budget of {Usd(limit)} a day"
            : ", no budget set";
        if (Unpriced.Count > 0) line += $"; {Unpriced.Count} paid series have no price and are not counted ({List(Unpriced.Select(k => k.ToString()), Unpriced.Count)})";
        return line;
    }

    private static string List(IEnumerable<string> items, int count) =>
        string.Join(", ", items.Take(Listed)) + (count > Listed ? $" and {count - Listed} more" : "");
}

/// <summary>One paid series' share of the projection.</summary>
public sealed record SeriesProjection(ProbeKey Key, double ProbesPerDay, double UsdPerProbe)
{
    public double UsdPerDay => ProbesPerDay * UsdPerProbe;

    public override string ToString() => $"{Key}: {ProbesPerDay:0} probes × {Usd(UsdPerProbe)} = {Usd(UsdPerDay)}";
}
