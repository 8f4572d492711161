using RelayExporter.Tests.Telemetry;

namespace RelayExporter.Tests.Infrastructure;

public sealed class PrometheusServerTests
{
    [Fact]
    public async Task Rule_files_are_loaded_and_evaluated_and_promtool_checks_them()
    {
        var directory = Directory.CreateTempSubdirectory("relay-rules-");
        try
        {
            var rules = Path.Combine(directory.FullName, "relay.rules.yml");
            await File.WriteAllTextAsync(rules, """
                groups:
                  - name: relay
                    rules:
                      - record: job:relay_requests:sum
                        expr: sum by (job) (relay_requests_total)
                """);
            var check = await Promtool.RunAsync(["check", "rules", rules]);
            Assert.True(check.ExitCode == 0, check.ToString());

            await using var app = await ScrapeTestApp.StartAsync();
            app.Meter.CreateCounter<long>("relay.requests").Add(5);
            int prometheusId;
            await using (var prometheus = await PrometheusServer.StartAsync([new ScrapeTarget("relay", app.HostPort)], [rules]))
            {
                var recorded = await prometheus.WaitUntilAsync("job:relay_requests:sum", r => r.Count == 1, TimeSpan.FromSeconds(60));
                Assert.Equal(5, recorded[0].Value);
                Assert.Equal("relay", recorded[0].Label("job"));
                prometheusId = prometheus.ProcessId;
            }

            Assert.Throws<ArgumentException>(() => System.Diagnostics.Process.GetProcessById(prometheusId).Dispose());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Query_errors_carry_prometheus_message()
    {
        await using var prometheus = await PrometheusServer.StartAsync([]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => prometheus.QueryAsync("sum(("));

        Assert.Contains("bad_data", error.Message);
    }
}
