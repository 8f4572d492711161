using System.Text.RegularExpressions;
using RelayExporter.Observability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RelayExporter.Observability.Tests;

/// <summary>
/// Every panel query of every dashboard, run against the real Prometheus of the native stack after it has scraped the exporter
/// probing the simulator through a healthy start and then injected faults: no panel is empty. Also checks that every metric a
/// dashboard or rule reads is one the exporter emits.
/// </summary>
public sealed partial class DashboardQueryTests(ITestOutputHelper output)
{
    /// <summary>
    /// What <c>$__rate_interval</c> becomes: Grafana uses at least four scrape intervals (4 s here); 30 s spans two probes of
    /// the 15 s chat and stream checks, so rates of their histograms are not all zero.
    /// </summary>
    private const string RateInterval = "30s";

    private static readonly Dictionary<string, string> SingleValues = new() { ["target"] = "relay-a", ["model"] = "gpt-4.1" };

    [Fact]
    public async Task Every_panel_query_returns_data_from_prometheus_scraping_the_exporter_probing_a_faulty_simulator()
    {
        await using var stack = await NativeStack.StartAsync(new NativeStackOptions { ScrapeInterval = "1s" });
        using var prometheus = stack.CreatePrometheusApi();
        try
        {
            // A healthy start: every target probed successfully, so every histogram and counter exists.
            await prometheus.WaitUntilAsync("count(relay_target_health == 1)", r => r.Count == 1 && r[0].Value >= 6, TimeSpan.FromSeconds(90));

            // Faults that light up the failure panels: a failing model (server_error, open model circuit), an upstream the
            // relay reports unavailable, and a relay that rate-limits with Retry-After (rate_limited, skipped probes).
            await stack.SetFaultAsync("relay-a", """{"kind":"status","status":502}""", model: "deepseek-v3.2");
            await stack.SetFaultAsync("relay-a", """{"kind":"provider_unavailable","provider":"anthropic"}""");
            await stack.SetFaultAsync("relay-b", """{"kind":"rate_limited","retry_after_s":1}""");
            await prometheus.WaitUntilAsync("""relay_circuit_state{target="relay-a",model="deepseek-v3.2",state="open"} == 1""",
                r => r.Count > 0, TimeSpan.FromSeconds(60));

            var queries = Dashboards.Files()
                .Select(file => (File: file, Dashboard: Dashboards.Load(file)))
                .SelectMany(d => Dashboards.Panels(d.Dashboard).SelectMany(panel => Dashboards.Expressions(panel).Select(expr =>
                    (Where: $"{d.File} / {panel["title"]}", Query: Dashboards.Substitute(expr, d.Dashboard, RateInterval, SingleValues)))))
                .ToList();
            Assert.True(queries.Count > 40, $"{queries.Count} queries");

            // Each query gets until the shared deadline to return a finite value (rates need two probes inside the window).
            var pending = queries.GroupBy(q => q.Query).ToDictionary(g => g.Key, g => string.Join(", ", g.Select(q => q.Where)));
            var lastResults = new Dictionary<string, string>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (pending.Count > 0 && DateTime.UtcNow < deadline)
            {
                foreach (var (query, _) in pending.ToList())
                {
                    var result = await prometheus.QueryAsync(query);
                    if (result.Any(s => double.IsFinite(s.Value))) pending.Remove(query);
                    else lastResults[query] = $"[{string.Join("; ", result)}]";
                }

                if (pending.Count > 0) await Task.Delay(TimeSpan.FromSeconds(1));
            }

            output.WriteLine($"{queries.Count} panel queries ({queries.Select(q => q.Query).Distinct().Count()} distinct), {pending.Count} without data");
            Assert.True(pending.Count == 0, "Panels without data:\n" + string.Join("\n",
                pending.Select(p => $"{p.Value}: {p.Key} -> {lastResults.GetValueOrDefault(p.Key, "[]")}")));

            // Every metric the dashboards and the rules read is emitted (or, for the TLS expiry of an HTTPS target, which the
            // plain-HTTP simulator cannot show, at least documented in docs/metrics.md).
            var live = await prometheus.MetricNamesAsync();
            var documented = MetricName().Matches(File.ReadAllText(RepositoryPaths.File("docs", "metrics.md"))).Select(m => m.Value).ToHashSet();
            var referenced = queries.Select(q => q.Query)
                .Concat(AlertingRuleTests.AllRules().Select(r => r.Str("expr") ?? string.Empty))
                .SelectMany(e => MetricName().Matches(LabelLists().Replace(e, string.Empty)).Select(m => m.Value))
                .ToHashSet();
            var notLive = referenced.Where(n => !live.Contains(n)).ToList();
            output.WriteLine($"{referenced.Count} metrics referenced; not seen live: {string.Join(", ", notLive)}");
            Assert.All(notLive, n => Assert.True(documented.Contains(n), $"{n} is referenced by a dashboard or rule but neither emitted nor documented"));
            Assert.True(notLive.Count <= 1, $"not emitted during the test: {string.Join(", ", notLive)}");
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{ex.Message}\n{stack.Describe()}", ex);
        }
    }

    // Label matchers and grouping clauses: what remains of an expression holds metric names, not label names.
    [GeneratedRegex(@"\{[^}]*\}|\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex LabelLists();

    // Metric names of the exporter, not parts of recording-rule names (those contain colons).
    [GeneratedRegex(@"(?<![:\w])(?:relay|gen_ai)_[a-z0-9_]+(?![:\w])")]
    private static partial Regex MetricName();
}
