using RelayExporter.Observability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RelayExporter.Observability.Tests;

/// <summary>
/// The whole paging path, natively: simulator → exporter → Prometheus (the repository's rules) → Alertmanager (the repository's
/// config, receivers pointed at a webhook in this test) → notification.
/// </summary>
public sealed class PagingEndToEndTests(ITestOutputHelper output)
{
    /// <summary>
    /// From fault to page: the exporter confirms the failure (a health/models probe every 5 s, a confirmation 1 s later, two
    /// failures → unhealthy, ≤ ~7 s; a 401 shows in the status gauge at the next models probe), the alert's <c>for: 1m</c>,
    /// a 1 s scrape and evaluation, and a 1 s group_wait: about 70 s; 100 s leaves room for a loaded machine.
    /// </summary>
    private static readonly TimeSpan FiringDeadline = TimeSpan.FromSeconds(100);

    /// <summary>
    /// From clearing the fault to the resolved notification: the circuit's 15 s break, two successes, a 2 s group_interval,
    /// and the time a page keeps firing after its condition cleared (so a failed scrape does not resolve it): 2 minutes for
    /// RelayTargetDown, 3 for RelayAuthFailing (it outlasts the RelayTargetDown it inhibits).
    /// </summary>
    private static readonly TimeSpan ResolvedDeadline = TimeSpan.FromSeconds(280);

    private static readonly TimeSpan HealthyPeriod = TimeSpan.FromSeconds(15);

    [Fact]
    public Task A_hard_outage_of_one_relay_pages_naming_it_and_clearing_it_sends_the_resolved_notification() =>
        PageAsync("""{"kind":"down","mode":"refused"}""", "RelayTargetDown");

    /// <summary>
    /// A revoked key makes the relay's credentialed checks fail while its health document (no credential) answers; the
    /// exporter also marks the target unhealthy, and the page must say why: RelayAuthFailing, with RelayTargetDown inhibited.
    /// </summary>
    [Fact]
    public Task A_revoked_key_on_one_relay_pages_credential_rejected_not_target_down() =>
        PageAsync("""{"kind":"unauthorized"}""", "RelayAuthFailing");

    private async Task PageAsync(string fault, string expectedAlert)
    {
        await using var webhook = await WebhookReceiver.StartAsync();
        var stack = await NativeStack.StartAsync(new NativeStackOptions
        {
            ScrapeInterval = "1s", WebhookUrl = webhook.BaseUrl, GroupWait = "1s", GroupInterval = "2s", RepeatInterval = "1h",
        });
        try
        {
            using var prometheus = stack.CreatePrometheusApi();

            // Healthy period: every target healthy, then nothing pending or firing and no notification for a while.
            await prometheus.WaitUntilAsync("count(relay_target_health == 1)", r => r.Count == 1 && r[0].Value >= 6, TimeSpan.FromSeconds(90));
            // (At start-up RelayExporterAbsent is pending for an evaluation or two, until Prometheus's first scrape.)
            await prometheus.WaitUntilAsync("ALERTS", r => r.Count == 0, TimeSpan.FromSeconds(30));
            var healthyUntil = webhook.Now + HealthyPeriod;
            while (webhook.Now < healthyUntil)
            {
                var alerts = await prometheus.QueryAsync("ALERTS");
                Assert.True(alerts.Count == 0, $"alerts while every target is healthy: {string.Join("; ", alerts)}");
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }

            Assert.Empty(webhook.Notifications);

            var faultAt = webhook.Now;
            await stack.SetFaultAsync("relay-a", fault);
            var page = await webhook.WaitForAsync(
                n => n.Alerts.Any(a => a.Status == "firing" && a.Label("alertname") == expectedAlert && a.Label("target") == "relay-a"),
                FiringDeadline + TimeSpan.FromSeconds(30), $"{expectedAlert} for relay-a at the webhook");
            var toPage = page.ArrivedAt - faultAt;
            output.WriteLine($"fault {fault} -> {expectedAlert}{{target=\"relay-a\"}} notification: {toPage.TotalSeconds:0.0} s (deadline {FiringDeadline.TotalSeconds:0} s)");
            Assert.True(toPage <= FiringDeadline, $"the page took {toPage.TotalSeconds:0.0} s, more than {FiringDeadline.TotalSeconds:0} s");
            Assert.Equal("/page", page.Path); // critical → the pager receiver
            Assert.Equal("relay-a", page.GroupLabels.GetValueOrDefault("target"));

            // Healthy relay, cleared fault: the resolved notification follows.
            var clearedAt = webhook.Now;
            await stack.ClearFaultAsync("relay-a");
            var resolved = await webhook.WaitForAsync(
                n => n.Alerts.Any(a => a.Status == "resolved" && a.Label("alertname") == expectedAlert && a.Label("target") == "relay-a"),
                ResolvedDeadline + TimeSpan.FromSeconds(30), $"the resolved {expectedAlert} for relay-a at the webhook");
            var toResolved = resolved.ArrivedAt - clearedAt;
            output.WriteLine($"fault cleared -> resolved notification: {toResolved.TotalSeconds:0.0} s (deadline {ResolvedDeadline.TotalSeconds:0} s)");
            Assert.True(toResolved <= ResolvedDeadline, $"the resolved notification took {toResolved.TotalSeconds:0.0} s");
            Assert.Equal("/page", resolved.Path);

            // Only relay-a was paged for, and until the page resolved only for the expected cause: its other symptoms (for a
            // revoked key, RelayTargetDown too) were inhibited or never fired. Once the cause resolves, the error budget the
            // incident spent may still page: the burn-rate alert's 5-minute window has not forgotten it yet.
            output.WriteLine("notifications:\n" + string.Join("\n", webhook.Notifications));
            var firing = webhook.Notifications.SelectMany(n => n.Alerts.Where(a => a.Status == "firing").Select(a => (n.ArrivedAt, Alert: a))).ToList();
            Assert.All(firing, f => Assert.Equal("relay-a", f.Alert.Label("target")));
            Assert.All(firing.Where(f => f.ArrivedAt < resolved.ArrivedAt), f => Assert.Equal(expectedAlert, f.Alert.Label("alertname")));
            Assert.All(firing, f => Assert.Contains(f.Alert.Label("alertname"), new[] { expectedAlert, "RelayErrorBudgetBurnFast" }));
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{ex.Message}\n{stack.Describe()}", ex);
        }
        finally
        {
            await stack.DisposeAsync();
        }

        // stack.sh stopped exactly what it started (stopping the script with SIGTERM).
        Assert.Equal(4, stack.ComponentPids.Count);
        Assert.Empty(stack.LeftRunningByScript);
        Assert.DoesNotContain(stack.ComponentPids, NativeStack.IsAlive);
    }
}
