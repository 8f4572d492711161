using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RelayExporter.Observability.Tests.Infrastructure;

namespace RelayExporter.Observability.Tests;

/// <summary>The rules every dashboard and every panel follows, so that they import anywhere and read well.</summary>
public sealed partial class DashboardJsonTests
{
    public static TheoryData<string> DashboardFiles() => new(Dashboards.Files());

    [Fact]
    public void The_four_dashboards_exist_with_distinct_uids_and_titles()
    {
        var dashboards = Dashboards.Files().Select(Dashboards.Load).ToList();
        Assert.True(dashboards.Count >= 4, $"{dashboards.Count} dashboards");
        foreach (var uid in new[] { "relay-fleet-overview", "relay-target", "relay-slo", "relay-cost" })
        {
            Assert.Contains(dashboards, d => d["uid"]?.GetValue<string>() == uid);
        }

        Assert.Equal(dashboards.Count, dashboards.Select(d => d["uid"]!.GetValue<string>()).Distinct().Count());
        Assert.Equal(dashboards.Count, dashboards.Select(d => d["title"]!.GetValue<string>()).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void Uses_a_current_schema_and_a_prometheus_datasource_variable(string file)
    {
        var dashboard = Dashboards.Load(file);
        Assert.True(dashboard["schemaVersion"]!.GetValue<int>() >= 39, $"{file}: schemaVersion {dashboard["schemaVersion"]}");
        var datasource = Dashboards.Variables(dashboard).Single(v => v["name"]?.GetValue<string>() == "datasource");
        Assert.Equal("datasource", datasource["type"]!.GetValue<string>());
        Assert.Equal("prometheus", datasource["query"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void Target_and_model_variables_come_from_label_values(string file)
    {
        var dashboard = Dashboards.Load(file);
        var variables = Dashboards.Variables(dashboard).Where(v => v["name"]?.GetValue<string>() is "target" or "model").ToList();
        Assert.Contains(variables, v => v["name"]!.GetValue<string>() == "target");
        Assert.All(variables, v =>
        {
            Assert.Equal("query", v["type"]!.GetValue<string>());
            Assert.StartsWith("label_values(", Dashboards.VariableQuery(v));
            Assert.Equal("${datasource}", v["datasource"]?["uid"]?.GetValue<string>());
        });
    }

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void Every_panel_has_a_description_a_unit_and_queries_through_the_datasource_variable(string file)
    {
        var dashboard = Dashboards.Load(file);
        var panels = Dashboards.Panels(dashboard).ToList();
        Assert.NotEmpty(panels);
        Assert.Equal(panels.Count, panels.Select(p => p["id"]!.GetValue<int>()).Distinct().Count());
        foreach (var panel in panels)
        {
            var title = panel["title"]?.GetValue<string>();
            Assert.False(string.IsNullOrWhiteSpace(title), $"{file}: a panel has no title");
            Assert.False(string.IsNullOrWhiteSpace(panel["description"]?.GetValue<string>()), $"{file}: '{title}' has no description");
            Assert.False(string.IsNullOrWhiteSpace(panel["fieldConfig"]?["defaults"]?["unit"]?.GetValue<string>()), $"{file}: '{title}' has no unit");
            Assert.Equal("${datasource}", panel["datasource"]?["uid"]?.GetValue<string>());
            var targets = panel["targets"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
            Assert.True(targets.Count > 0, $"{file}: '{title}' has no query");
            Assert.All(targets, t =>
            {
                Assert.False(string.IsNullOrWhiteSpace(t["expr"]?.GetValue<string>()), $"{file}: '{title}' has an empty query");
                Assert.Equal("${datasource}", t["datasource"]?["uid"]?.GetValue<string>());
            });
        }
    }

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void Every_rate_and_increase_uses_the_rate_interval(string file)
    {
        var dashboard = Dashboards.Load(file);
        var expressions = Dashboards.Panels(dashboard).SelectMany(Dashboards.Expressions).ToList();
        Assert.Contains(expressions, e => RangeFunction().IsMatch(e)); // the check below is not vacuous
        foreach (var expr in expressions)
        {
            foreach (Match match in RangeFunction().Matches(expr))
            {
                // Fixed ranges: the 30-day SLO window itself, which the error budget is defined over; and the hour and the
                // day of paid-probe spend, whose counters move once per paid probe (every few minutes): over
                // $__rate_interval they read 0 or a multiple of the real figure.
                var range = match.Groups["range"].Value;
                var spendWindow = range is "1h" or "1d" && PaidProbeCounter().IsMatch(match.Value);
                Assert.True(range is "$__rate_interval" or SloWindow || spendWindow,
                    $"{file}: '{match.Value}' in '{expr}' does not use [$__rate_interval]");
            }
        }
    }

    /// <summary>
    /// The exporter's own process and runtime metrics (<c>process_*</c>, <c>dotnet_*</c>) and Prometheus' series about each
    /// scrape (<c>scrape_*</c>, <c>up</c>) have names that every other .NET service and job beside it has too, even in the
    /// same job (a Kubernetes pods job): a panel reading them selects the exporters' jobs and instances, variables whose
    /// values are those of <c>relay_exporter_build_info</c> over the dashboard's time range (so a shard whose scrapes fail
    /// or time out stays on the panel). "All" must stay the values found: an <c>allValue</c> such as <c>.*</c> would select
    /// every job again.
    /// </summary>
    [Fact]
    public void Queries_of_metric_names_other_jobs_share_select_the_exporters_jobs_and_instances()
    {
        var shared = Dashboards.Files()
            .Select(file => (File: Path.GetFileName(file), Dashboard: Dashboards.Load(file)))
            .SelectMany(d => Dashboards.Panels(d.Dashboard).SelectMany(Dashboards.Expressions)
                .SelectMany(expr => SharedMetricSelector().Matches(expr).Select(m => (d.File, d.Dashboard, Expr: expr, Selector: m.Value))))
            .ToList();
        Assert.True(shared.Count >= 9, $"{shared.Count} selectors of shared names"); // the check below is not vacuous
        Assert.All(shared, s =>
        {
            foreach (var (variable, matcher, query) in ExporterSelection)
            {
                Assert.True(s.Selector.Contains(matcher, StringComparison.Ordinal), $"{s.File}: '{s.Selector}' in '{s.Expr}' does not select {matcher}");
                var defined = Assert.Single(Dashboards.Variables(s.Dashboard), v => v["name"]?.GetValue<string>() == variable);
                Assert.Equal(query, Dashboards.VariableQuery(defined));
                Assert.Null(defined["allValue"]);
            }
        });
    }

    private static readonly (string Variable, string Matcher, string Query)[] ExporterSelection =
    [
        ("job", "job=~\"$job\"", "label_values(relay_exporter_build_info, job)"),
        ("instance", "instance=~\"$instance\"", "label_values(relay_exporter_build_info{job=~\"$job\"}, instance)"),
    ];

    [GeneratedRegex(@"(?<![:\w])(?:(?:process|dotnet|scrape)_\w+|up)(?![:\w])(?:\{[^}]*\})?")]
    private static partial Regex SharedMetricSelector();

    /// <summary>The budget left is what the SLO window (30 days) has not spent, not a projection of a shorter window's rate.</summary>
    [Fact]
    public void The_error_budget_left_panel_reads_the_30_day_slo_window()
    {
        var dashboard = Dashboards.Load(RepositoryPaths.File("dashboards", "relay-slo.json"));
        var panel = Dashboards.Panels(dashboard).Single(p => p["title"]!.GetValue<string>().StartsWith("Error budget left", StringComparison.Ordinal));
        var expr = Assert.Single(Dashboards.Expressions(panel));
        Assert.Contains($"[{SloWindow}]", expr);
        Assert.Contains("relay:slo_error_budget:ratio", expr);
        Assert.DoesNotContain("ratio_rate3d", expr);
    }

    private const string SloWindow = "30d";

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void No_datasource_uid_is_hard_coded(string file)
    {
        var dashboard = Dashboards.Load(file);
        foreach (var datasource in Descendants(dashboard).Where(n => n.Parent is JsonObject && n.GetPropertyName() == "datasource").OfType<JsonObject>())
        {
            var uid = datasource["uid"]?.GetValue<string>();
            Assert.True(uid is "${datasource}" or "-- Grafana --", $"{file}: datasource uid '{uid}' at {datasource.GetPath()}");
        }

    }

    [Fact]
    public void Grafana_provisioning_loads_the_dashboards_and_the_prometheus_datasource()
    {
        var datasource = Yaml.Load(RepositoryPaths.File("deploy", "grafana", "provisioning", "datasources", "prometheus.yml"))
            .Get("datasources").Items().Single();
        Assert.Equal("prometheus", datasource.Str("type"));
        var provider = Yaml.Load(RepositoryPaths.File("deploy", "grafana", "provisioning", "dashboards", "relay-exporter.yml"))
            .Get("providers").Items().Single();
        Assert.Equal("file", provider.Str("type"));
        Assert.False(string.IsNullOrEmpty(provider.Get("options")?.Str("path")));
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject obj => obj.Select(p => p.Value),
            JsonArray array => array,
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
        {
            yield return child;
            foreach (var descendant in Descendants(child)) yield return descendant;
        }
    }

    [GeneratedRegex(@"\b(?:rate|irate|increase|[a-z]+_over_time)\s*\((?:[^()\[\]]|\{[^}]*\})*\[(?<range>[^\]]+)\]")]
    private static partial Regex RangeFunction();

    [GeneratedRegex(@"^increase\((relay_probe_cost_usd_total|relay_probe_tokens_total)\{")]
    private static partial Regex PaidProbeCounter();
}
