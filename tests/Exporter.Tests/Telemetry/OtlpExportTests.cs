using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Telemetry;

[Collection(ExporterHostCollection.Name)]
public class OtlpExportTests
{
    [Fact]
    public async Task Metrics_are_pushed_over_otlp_http_when_the_standard_variables_are_set()
    {
        await using var receiver = await OtlpMetricsReceiver.StartAsync();
        await using var exporter = await ExporterHost.StartAsync(TestConfigs.UnreachableTarget("offline"), new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.BaseUrl.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        });

        var probes = await Eventually.GetAsync(
            () => Task.FromResult(receiver.Points.LastOrDefault(p => p.Metric == "relay_probes" && p.Attributes.GetValueOrDefault("target") == "offline")),
            TimeSpan.FromSeconds(20), $"an OTLP export carrying relay_probes for the target (requests {receiver.Requests}, metrics {string.Join(",", receiver.Points.Select(p => p.Metric).Distinct())})");

        Assert.Equal("connect_error", probes.Attributes["outcome"]);
        Assert.True(probes.Value >= 1, $"relay_probes should count at least one probe, got {probes.Value}");
        var build = receiver.Points.Last(p => p.Metric == "relay_exporter_build_info");
        Assert.Equal(1, build.Value);
        // For a histogram the decoder reports the sum of the recorded durations.
        Assert.Contains(receiver.Points, p => p.Metric == "relay_probe_duration" && p.Unit == "s" && p.Value > 0);
    }
}
