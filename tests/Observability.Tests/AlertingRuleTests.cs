using RelayExporter.Observability.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace RelayExporter.Observability.Tests;

/// <summary>The alerting and recording rules in alerting-rules/: valid, unit-tested, and complete for an on-call engineer.</summary>
public sealed class AlertingRuleTests
{
    private static readonly string RulesDirectory = RepositoryPaths.File("alerting-rules");
    private static readonly string RuleTestFile = RepositoryPaths.File("alerting-rules", "tests", "relay-alerts.test.yml");

    /// <summary>The alerts the issue asks for; the rules may grow, never lose one of these.</summary>
    private static readonly string[] RequiredAlerts =
    [
        "RelayTargetDown", "RelayCircuitOpen", "RelayProbeLatencyWarning", "RelayProbeLatencyCritical", "RelayTimeToFirstTokenHigh",
        "RelayErrorRatioHigh", "RelayRateLimited", "RelayAuthFailing", "RelayUpstreamProviderUnavailable", "RelayModelMissing",
        "RelayTLSCertificateExpiringSoon", "RelayErrorBudgetBurnFast", "RelayErrorBudgetBurnSlow", "RelayExporterAbsent",
        "RelayExporterConfigReloadFailed",
    ];

    public static TheoryData<string> Alerts()
    {
        var data = new TheoryData<string>();
        foreach (var alert in AllRules().Select(r => r.Str("alert")).OfType<string>().Distinct()) data.Add(alert);
        return data;
    }

    [Fact]
    public async Task Promtool_check_rules_accepts_every_rule_file()
    {
        var files = RuleFiles();
        Assert.NotEmpty(files);
        var result = await ProcessRunner.RunAsync(ExternalTool.Locate("promtool"), ["check", "rules", .. files], TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS", result.StandardOutput);
    }

    [Fact]
    public async Task Promtool_unit_tests_of_every_alert_pass()
    {
        var result = await ProcessRunner.RunAsync(ExternalTool.Locate("promtool"), ["test", "rules", RuleTestFile], TimeSpan.FromSeconds(120),
            workingDirectory: Path.GetDirectoryName(RuleTestFile));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS", result.StandardOutput);
    }

    [Fact]
    public void The_issue_alerts_all_exist()
    {
        var defined = AllRules().Select(r => r.Str("alert")).OfType<string>().ToHashSet();
        Assert.Subset(defined, RequiredAlerts.ToHashSet());
    }

    [Fact]
    public void Every_SLO_window_has_an_error_ratio_recording_rule()
    {
        var recorded = AllRules().Select(r => r.Str("record")).OfType<string>().ToHashSet();
        foreach (var window in new[] { "5m", "30m", "1h", "2h", "6h", "1d", "3d" })
        {
            Assert.Contains($"target:relay_probe_errors:ratio_rate{window}", recorded);
        }
    }

    [Theory]
    [MemberData(nameof(Alerts))]
    public void Alert_has_severity_summary_description_and_a_runbook_in_the_repository(string alert)
    {
        // An alert may have a rule per severity (e.g. a page and a ticket); each has it all.
        var rules = AllRules().Where(r => r.Str("alert") == alert).ToList();
        Assert.NotEmpty(rules);
        Assert.Equal(rules.Count, rules.Select(r => r.Get("labels")?.Str("severity")).Distinct().Count());
        foreach (var rule in rules) AssertDescribed(alert, rule);
    }

    private static void AssertDescribed(string alert, YamlNode rule)
    {
        Assert.Contains(rule.Get("labels")?.Str("severity"), new[] { "critical", "warning" });
        var annotations = rule.Get("annotations");
        Assert.False(string.IsNullOrWhiteSpace(annotations?.Str("summary")), $"{alert}: summary");
        Assert.False(string.IsNullOrWhiteSpace(annotations?.Str("description")), $"{alert}: description");
        var runbook = annotations?.Str("runbook_url");
        Assert.NotNull(runbook);
        Assert.True(Uri.TryCreate(runbook, UriKind.Absolute, out _), $"{alert}: runbook_url '{runbook}' is not an absolute URL");
        Assert.EndsWith($"/docs/runbooks/{alert}.md", runbook);
        var file = RepositoryPaths.File("docs", "runbooks", alert + ".md");
        Assert.True(File.Exists(file), $"{alert}: {file} does not exist");
        Assert.Contains(alert, File.ReadAllText(file));
    }

    [Theory]
    [MemberData(nameof(Alerts))]
    public void Alert_has_a_firing_and_a_not_firing_promtool_case(string alert)
    {
        var cases = Yaml.Load(RuleTestFile).Get("tests").Items()
            .SelectMany(t => t.Get("alert_rule_test").Items())
            .Where(c => c.Str("alertname") == alert)
            .ToList();
        Assert.Contains(cases, c => c.Get("exp_alerts").Items().Any());
        Assert.Contains(cases, c => !c.Get("exp_alerts").Items().Any());
    }

    [Fact]
    public void Every_promtool_test_group_sets_its_interval()
    {
        // Prometheus 2.42's promtool needs interval: in every test group.
        var groups = Yaml.Load(RuleTestFile).Get("tests").Items().ToList();
        Assert.NotEmpty(groups);
        Assert.All(groups, g => Assert.False(string.IsNullOrEmpty(g.Str("interval")), $"test '{g.Str("name")}' has no interval"));
    }

    internal static IReadOnlyList<string> RuleFiles() =>
        Directory.GetFiles(RulesDirectory, "*.rules.yml").OrderBy(f => f, StringComparer.Ordinal).ToList();

    internal static IEnumerable<YamlNode> AllRules() =>
        RuleFiles().SelectMany(f => Yaml.Load(f).Get("groups").Items()).SelectMany(g => g.Get("rules").Items());
}
