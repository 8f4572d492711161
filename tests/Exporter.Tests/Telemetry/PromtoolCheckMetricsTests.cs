using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Telemetry;

public sealed class PromtoolCheckMetricsTests
{
    [Fact]
    public async Task Text_output_of_a_realistic_meter_passes_promtool_check_metrics()
    {
        await using var app = await ScrapeTestApp.StartAsync(
            resource: r => r.AddService("relay-exporter", serviceInstanceId: "pod-1"),
            configure: m => m.AddView("relay.upstream.duration", new ExplicitBucketHistogramConfiguration { Boundaries = [0.005, 0.05, 0.5, 5] }));
        var meter = app.Meter;
        var requests = meter.CreateCounter<long>("relay.requests", "{request}", "Requests relayed.");
        requests.Add(3, new("http.route", "/v1/chat"), new("http.response.status_code", 200));
        requests.Add(1, new("http.route", "/v1/odd \"path\"\\with\nnewline"), new("http.response.status_code", 500));
        meter.CreateCounter<double>("relay.sent", "By", "Bytes relayed upstream.").Add(1536.5, new KeyValuePair<string, object?>("upstream", "a"));
        meter.CreateUpDownCounter<long>("relay.inflight", "{request}", "Requests in flight.").Add(2);
        meter.CreateObservableGauge("relay.queue.size", () => new Measurement<int>(7, new KeyValuePair<string, object?>("queue", "default")), "{item}", "Items queued.");
        var duration = meter.CreateHistogram<double>("relay.upstream.duration", "s", "Upstream call duration.\nIncludes retries.");
        foreach (var seconds in new[] { 0.001, 0.02, 0.3, 2.5, 9 })
        {
            duration.Record(seconds, new KeyValuePair<string, object?>("gen_ai.system", "openai"));
        }

        var text = await app.ScrapeTextAsync("text/plain;version=0.0.4");
        var result = await Promtool.CheckMetricsAsync(text);

        Assert.True(result.ExitCode == 0 && result.StandardOutput.Length == 0 && result.StandardError.Length == 0,
            $"promtool check metrics complained:\n{result}\n--- input ---\n{text}");
        Assert.Contains("relay_upstream_duration_seconds_bucket{", text); // the histogram was really checked
        Assert.Contains("relay_requests_total{", text);
    }

    [Fact]
    public async Task Promtool_wrapper_reports_problems_it_finds()
    {
        // Guards the test above: a clean result must mean promtool really read our input.
        var result = await Promtool.CheckMetricsAsync("# HELP bad_metric x\n# TYPE bad_metric counter\nbad_metric 1\n");

        Assert.Contains("_total", result.StandardOutput + result.StandardError);
    }
}
