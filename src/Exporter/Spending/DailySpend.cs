using RelayExporter.Configuration;
using RelayExporter.Outcomes;
using RelayExporter.Probing;

namespace RelayExporter.Spending;

/// <summary>
/// What paid probes spent in the current UTC day, against the budget, and the schedule's projection. Kept in memory:
/// a restart starts the day's count from zero. A sink of every probe sent (on-demand ones cost money too); the gate
/// that holds back paid probes once the budget is spent.
/// </summary>
public sealed class DailySpend(RunningConfig config, TimeProvider time) : IProbeResultSink, IProbeGate
{
    private readonly Lock _gate = new();
    private DateOnly _day = Today(time);
    private double _spentUsd;
    private (ExporterOptions For, SpendProjection Projection)? _projection;

    public double? BudgetUsd => config.Current.Budget.UsdPerDay;

    public double SpentTodayUsd
    {
        get
        {
            using var _ = _gate.EnterScope();
            RollOver();
            return _spentUsd;
        }
    }

    /// <summary>The day's spend reached the budget: paid checks pause until the UTC day ends.</summary>
    public bool Exhausted => BudgetUsd is { } budget && SpentTodayUsd >= budget;

    /// <summary>When the current UTC day ends, and with it a pause for an exhausted budget.</summary>
    public DateTimeOffset DayEnds => new(Today(time).AddDays(1), TimeOnly.MinValue, TimeSpan.Zero);

    /// <summary>The running configuration's projection, computed once per configuration.</summary>
    public SpendProjection Projection
    {
        get
        {
            var current = config.Current;
            using var _ = _gate.EnterScope();
            if (_projection?.For != current) _projection = (current, SpendProjection.Of(current));
            return _projection.Value.Projection;
        }
    }

    /// <summary>After a reload: the new configuration's projection.</summary>
    public void Project(ExporterOptions options, SpendProjection projection)
    {
        using var _ = _gate.EnterScope();
        _projection = (options, projection);
    }

    public void Add(double? usd)
    {
        if (usd is not > 0) return;
        using var _ = _gate.EnterScope();
        RollOver();
        _spentUsd += usd.Value;
    }

    void IProbeResultSink.Record(ProbeResult result, ProbeJob job) => Add(result.CostUsd);

    string? IProbeGate.SkipReason(ProbeJob job) => CheckKinds.Of(job.Check).Paid && Exhausted ? SkipReasons.BudgetExhausted : null;

    private void RollOver()
    {
        var today = Today(time);
        if (today == _day) return;
        _day = today;
        _spentUsd = 0;
    }

    private static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
}
