using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Telemetry;

/// <summary>A real Prometheus 2.x server scrapes /metrics of a real Kestrel app.</summary>
public sealed class RealPrometheusScrapeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Prometheus_scrapes_the_endpoint_with_openmetrics_and_stores_our_series()
    {
        await using var app = await ScrapeTestApp.StartAsync();
        var requests = app.Meter.CreateCounter<long>("relay.requests", "{request}", "Requests relayed");
        requests.Add(42, new("http.route", "/v1/chat \"quoted\""), new("http.response.status_code", 200));
        requests.Add(1, new("http.route", "/other"), new("http.response.status_code", 500));
        var duration = app.Meter.CreateHistogram<double>("relay.upstream.duration", "s", "Upstream duration");
        duration.Record(0.25);
        duration.Record(3);

        await using var prometheus = await PrometheusServer.StartAsync([new ScrapeTarget("relay", app.HostPort)]);

        await prometheus.WaitUntilAsync("up{job=\"relay\"}", r => r.Count == 1 && r[0].Value == 1, Deadline);
        var series = await prometheus.WaitUntilAsync(
            "relay_requests_total{job=\"relay\",http_route=\"/v1/chat \\\"quoted\\\"\"}", r => r.Count == 1, Deadline);

        var sample = series[0];
        Assert.Equal(42, sample.Value);
        Assert.Equal("200", sample.Label("http_response_status_code"));
        Assert.Null(sample.Label("otel_scope_name")); // the contract's labels only
        Assert.Equal(app.HostPort, sample.Label("instance"));

        var count = await prometheus.QueryAsync("relay_upstream_duration_seconds_count{job=\"relay\"}");
        Assert.Equal(2, Assert.Single(count).Value);
        var infBucket = await prometheus.QueryAsync("relay_upstream_duration_seconds_bucket{job=\"relay\",le=\"+Inf\"}");
        Assert.Equal(2, Assert.Single(infBucket).Value);
        var targetInfo = Assert.Single(await prometheus.QueryAsync("target_info{job=\"relay\"}"));
        Assert.Equal("relay-tests", targetInfo.Label("service_name"));

        // Prometheus negotiated OpenMetrics (its Accept prefers application/openmetrics-text;version=1.0.0).
        Assert.NotEmpty(app.ScrapeContentTypes);
        Assert.All(app.ScrapeContentTypes, contentType =>
            Assert.StartsWith("application/openmetrics-text; version=1.0.0", contentType));
    }

    [Fact]
    public async Task Prometheus_reads_a_large_gzipped_body_with_every_series()
    {
        const int series = 15_000; // per instrument: a body of megabytes, far beyond the exporter's first buffer
        await using var app = await ScrapeTestApp.StartAsync(cardinalityLimit: series + 10);
        var first = app.Meter.CreateGauge<double>("relay.first");
        var second = app.Meter.CreateGauge<double>("relay.second");
        for (var i = 0; i < series; i++)
        {
            first.Record(i, new KeyValuePair<string, object?>("target", $"t{i:D5}"));
            second.Record(-i, new KeyValuePair<string, object?>("target", $"t{i:D5}"));
        }

        await using var prometheus = await PrometheusServer.StartAsync([new ScrapeTarget("relay", app.HostPort)]);

        await prometheus.WaitUntilAsync("up{job=\"relay\"}", r => r.Count == 1 && r[0].Value == 1, Deadline);
        var counts = await prometheus.WaitUntilAsync("count by (__name__) ({job=\"relay\",__name__=~\"relay_first|relay_second\"})", r => r.Count == 2, Deadline);

        Assert.All(counts, c => Assert.Equal(series, c.Value));
        Assert.Equal(-14_999, Assert.Single(await prometheus.QueryAsync("relay_second{job=\"relay\",target=\"t14999\"}")).Value);
        Assert.Contains("gzip", app.ScrapeContentEncodings);
    }
}
