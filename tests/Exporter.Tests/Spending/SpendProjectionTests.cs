using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Protocols;
using RelayExporter.Spending;

namespace RelayExporter.Tests.Spending;

public class SpendProjectionTests
{
    private static ExporterOptions Load(string yaml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"spend-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, yaml);
        try { return ConfigLoader.Load(path, SpendProjection.CheckBudget); }
        finally { File.Delete(path); }
    }

    private const string Targets = """
        targets:
          - name: relay-a
            kind: relay
            protocol: openai
            base_url: http://127.0.0.1:1
            models: [gpt-4.1, deepseek-chat]
            checks:
              chat: { interval: 1m, max_tokens: 20 }
              stream: {}
            prices:
              gpt-4.1: { input: 4, output: 16 }
          - name: openai
            protocol: openai
            base_url: http://127.0.0.1:2
            models: [gpt-4.1]
            checks:
              stream: {}
        prices:
          gpt-4.1: { input: 2, output: 8 }
          deepseek-chat: { input: 0.28, output: 0.42 }

        """;

    [Fact]
    public void The_projection_prices_every_paid_probe_of_the_day_at_its_prompt_and_max_tokens_with_the_targets_own_prices_first()
    {
        var projection = SpendProjection.Of(Load(Targets));

        // "Reply with OK" is 13 bytes: at most 13 + 16 framing tokens of input.
        Assert.Equal(29, ProbePricing.PromptTokensAtMost("Reply with OK"));
        var expected = new Dictionary<ProbeKey, (double Probes, double Usd)>
        {
            // The relay's mark-up: 4 and 16 USD per million tokens, not the global 2 and 8.
            [new("relay-a", "chat", "gpt-4.1")] = (1440, (29 * 4 + 20 * 16) / 1e6),
            [new("relay-a", "chat", "deepseek-chat")] = (1440, (29 * 0.28 + 20 * 0.42) / 1e6),
            [new("relay-a", "stream", "gpt-4.1")] = (288, (29 * 4 + 5 * 16) / 1e6),
            [new("relay-a", "stream", "deepseek-chat")] = (288, (29 * 0.28 + 5 * 0.42) / 1e6),
            [new("openai", "stream", "gpt-4.1")] = (288, (29 * 2 + 5 * 8) / 1e6),
        };
        Assert.Equal(expected.Keys.Select(k => k.ToString()).Order(), projection.Series.Select(s => s.Key.ToString()).Order());
        foreach (var series in projection.Series)
        {
            Assert.Equal(expected[series.Key].Probes, series.ProbesPerDay);
            Assert.Equal(expected[series.Key].Usd, series.UsdPerProbe, 12);
        }
        Assert.Equal(expected.Values.Sum(v => v.Probes * v.Usd), projection.UsdPerDay, 12);
        Assert.Empty(projection.Unpriced);
    }

    [Fact]
    public void A_projection_over_the_budget_loads_when_accepted_and_says_the_budget_will_pause_the_paid_checks()
    {
        var options = Load(Targets + "budget: { usd_per_day: 0.5, accept_projection_over_budget: true }\n");
        var projection = SpendProjection.Of(options);

        Assert.True(projection.UsdPerDay > 0.5, $"the test needs a projection over the budget, got {projection.UsdPerDay}");
        Assert.Equal($"paid checks: at most {ProbePricing.Usd(projection.UsdPerDay)} a day from 5 priced series (upper bound: every probe billed its prompt and max_tokens), " +
            "over the budget of $0.50 a day (accepted: paid checks pause once the day's spend reaches it)", projection.Summary(options.Budget));
    }

    [Fact]
    public void The_same_projection_without_acceptance_is_refused_with_its_figures()
    {
        var error = Assert.Throws<ConfigException>(() => Load(Targets + "budget: { usd_per_day: 0.5 }\n"));

        var problem = Assert.Single(error.Problems);
        Assert.Equal("budget.usd_per_day", problem.KeyPath);
        // The largest series first, with its probes a day and what each can cost.
        Assert.StartsWith("the paid checks can spend up to $0.7392 a day, over the budget of $0.50 (relay-a/chat/gpt-4.1: 1440 probes × $0.000436 = $0.6278, ", problem.Reason);
    }

    [Fact]
    public void A_probe_is_priced_at_its_reported_usage_and_a_count_it_does_not_report_at_its_most()
    {
        var options = Load(Targets);
        var job = ProbePlan.From(options).Single(j => j.Key == new ProbeKey("relay-a", "chat", "gpt-4.1"));

        Assert.Equal((1000 * 4 + 10 * 16) / 1e6, ProbePricing.CostUsd(options, job, Answer(1000, 10))!.Value, 12);
        // An answer without usage was billed all the same: the prompt's bound and max_tokens.
        Assert.Equal((29 * 4 + 20 * 16) / 1e6, ProbePricing.CostUsd(options, job, Answer(null, null))!.Value, 12);
        Assert.Equal((1000 * 4 + 20 * 16) / 1e6, ProbePricing.CostUsd(options, job, Answer(1000, null))!.Value, 12);
        // No answer, nothing billed.
        Assert.Null(ProbePricing.CostUsd(options, job, null));
    }

    private static GenerationFindings Answer(long? input, long? output) => new(new TokenUsage(input, output), null, null);
}
