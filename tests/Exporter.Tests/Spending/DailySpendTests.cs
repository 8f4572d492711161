using Microsoft.Extensions.Time.Testing;
using RelayExporter.Configuration;
using RelayExporter.Spending;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Spending;

public class DailySpendTests
{
    [Fact]
    public void The_spend_counts_towards_the_budget_until_the_UTC_day_ends_then_starts_again_from_zero()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 23, 58, 0, TimeSpan.Zero));
        var options = new ExporterOptions { Budget = new BudgetOptions { UsdPerDay = 1.0 } };
        var spend = new DailySpend(new RunningConfig("test.yml", options, time), time);

        spend.Add(0.6);
        spend.Add(null); // a probe that got no answer, or of a model without a price
        Assert.False(spend.Exhausted);
        spend.Add(0.4);
        Assert.Equal(1.0, spend.SpentTodayUsd, 12);
        Assert.True(spend.Exhausted);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero), spend.DayEnds);

        time.Advance(TimeSpan.FromSeconds(119)); // 23:59:59: the same day
        Assert.True(spend.Exhausted);
        time.Advance(TimeSpan.FromSeconds(1)); // midnight UTC: a new day
        Assert.Equal(0, spend.SpentTodayUsd);
        Assert.False(spend.Exhausted);
        spend.Add(0.25);
        Assert.Equal(0.25, spend.SpentTodayUsd, 12);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero), spend.DayEnds);
    }

    [Fact]
    public void Without_a_budget_the_spend_is_counted_and_never_exhausted()
    {
        var time = new FakeTimeProvider(TestClock.Start);
        var spend = new DailySpend(new RunningConfig("test.yml", new ExporterOptions(), time), time);

        spend.Add(1000);

        Assert.Equal(1000, spend.SpentTodayUsd);
        Assert.False(spend.Exhausted);
    }
}
