using RelayExporter.Observability.Tests.Infrastructure;

namespace RelayExporter.Observability.Tests;

/// <summary>deploy/alertmanager/alertmanager.yml: valid, routes by severity, groups by target, and a down target stays quiet otherwise.</summary>
public sealed class AlertmanagerConfigTests
{
    private static readonly string ConfigFile = RepositoryPaths.File("deploy", "alertmanager", "alertmanager.yml");

    [Fact]
    public async Task Amtool_check_config_accepts_it()
    {
        var result = await ProcessRunner.RunAsync(ExternalTool.Locate("amtool"), ["check-config", ConfigFile], TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS", result.StandardOutput);
    }

    [Theory]
    [InlineData("critical", "RelayTargetDown", "pager")]
    [InlineData("warning", "RelayProbeLatencyWarning", "tickets")]
    public async Task Amtool_routes_each_severity_to_its_receiver(string severity, string alert, string receiver)
    {
        var result = await ProcessRunner.RunAsync(ExternalTool.Locate("amtool"),
            ["config", "routes", "test", $"--config.file={ConfigFile}", $"severity={severity}", $"alertname={alert}", "target=relay-a"],
            TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(receiver, result.StandardOutput.Trim());
    }

    [Fact]
    public void Notifications_are_grouped_by_target()
    {
        var groupBy = Yaml.Load(ConfigFile).Get("route")!.Get("group_by").Items().Select(n => n.Scalar()).ToList();
        Assert.Contains("target", groupBy);
    }

    [Fact]
    public void A_down_target_inhibits_its_latency_error_and_circuit_alerts_and_nothing_it_should_not()
    {
        var rule = Yaml.Load(ConfigFile).Get("inhibit_rules").Items()
            .Single(r => r.Get("source_matchers").Items().Any(m => m.Scalar() == "alertname=\"RelayTargetDown\""));
        Assert.Equal(["target"], rule.Get("equal").Items().Select(n => n.Scalar()));
        var matcher = rule.Get("target_matchers").Items().Single().Scalar();
        Assert.StartsWith("alertname=~\"", matcher);
        var inhibited = matcher["alertname=~\"".Length..^1].Split('|');
        foreach (var alert in new[] { "RelayProbeLatencyWarning", "RelayProbeLatencyCritical", "RelayErrorRatioHigh", "RelayCircuitOpen",
                     "RelayErrorBudgetBurnFast", "RelayTimeToFirstTokenHigh" })
        {
            Assert.Contains(alert, inhibited);
        }

        // Every inhibited name is a real alert, and the down alert itself and the exporter's own alerts are never silenced by it.
        var defined = AlertingRuleTests.AllRules().Select(r => r.Str("alert")).OfType<string>().ToHashSet();
        Assert.All(inhibited, a => Assert.Contains(a, defined));
        Assert.DoesNotContain("RelayTargetDown", inhibited);
        Assert.DoesNotContain("RelayExporterAbsent", inhibited);
        // The causes of a down target say why it is down: a symptom never silences its cause.
        Assert.DoesNotContain("RelayAuthFailing", inhibited);
        Assert.DoesNotContain("RelayModelMissing", inhibited);
    }

    [Theory]
    [InlineData("RelayAuthFailing", "RelayTargetDown")]
    [InlineData("RelayAuthFailing", "RelayModelDown")]
    [InlineData("RelayRateLimited", "RelayTargetDown")]
    [InlineData("RelayModelMissing", "RelayModelDown")]
    [InlineData("RelayTLSCertificateExpiryImminent", "RelayTLSCertificateExpiringSoon")]
    public void The_more_specific_alert_inhibits_the_generic_one(string cause, string symptom)
    {
        Assert.Contains(Inhibitions(), i => i.Source == cause && i.Target == symptom);
    }

    /// <summary>Two alerts that inhibit each other would both be silenced while both fire.</summary>
    [Fact]
    public void No_two_alerts_inhibit_each_other()
    {
        var pairs = Inhibitions().ToHashSet();
        Assert.NotEmpty(pairs);
        Assert.All(pairs, p => Assert.DoesNotContain((p.Target, p.Source), pairs));
    }

    /// <summary>Every (source alert, target alert) pair the inhibit rules name, expanding <c>alertname=~"A|B"</c>.</summary>
    private static IEnumerable<(string Source, string Target)> Inhibitions()
    {
        static IEnumerable<string> Names(YamlDotNet.RepresentationModel.YamlNode? matchers) =>
            matchers.Items().Select(m => m.Scalar()!).Where(m => m.StartsWith("alertname=", StringComparison.Ordinal))
                .SelectMany(m => m[(m.IndexOf('"') + 1)..^1].Split('|'));
        foreach (var rule in Yaml.Load(ConfigFile).Get("inhibit_rules").Items())
        {
            foreach (var source in Names(rule.Get("source_matchers")))
            {
                foreach (var target in Names(rule.Get("target_matchers"))) yield return (source, target);
            }
        }
    }
}
