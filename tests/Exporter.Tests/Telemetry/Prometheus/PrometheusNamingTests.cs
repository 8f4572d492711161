using RelayExporter.Telemetry.Prometheus;

namespace RelayExporter.Tests.Telemetry.Prometheus;

public sealed class PrometheusNamingTests
{
    [Theory]
    [InlineData("gen_ai.client.operation.duration", "s", "Histogram", "gen_ai_client_operation_duration_seconds", "seconds")]
    [InlineData("relay.request.latency", "ms", "Histogram", "relay_request_latency_milliseconds", "milliseconds")]
    [InlineData("relay.bytes.sent", "By", "Counter", "relay_bytes_sent_bytes", "bytes")]
    [InlineData("relay.queue.depth", "1", "Gauge", "relay_queue_depth", "")]
    [InlineData("relay.requests", "{request}", "Counter", "relay_requests", "")]
    [InlineData("relay.requests", "", "Counter", "relay_requests", "")]
    [InlineData("relay.requests", null, "Counter", "relay_requests", "")]
    [InlineData("queue_wait_seconds", "s", "Histogram", "queue_wait_seconds", "seconds")] // not doubled
    [InlineData("relay.read.bytes", "By", "Counter", "relay_read_bytes", "bytes")] // not doubled
    [InlineData("relay.sent.bytes.total", "By", "Counter", "relay_sent_bytes", "bytes")] // _total stripped, added back on samples
    [InlineData("relay.requests_total", "{request}", "Counter", "relay_requests", "")]
    [InlineData("relay.speed", "m/s", "Gauge", "relay_speed_meters_per_second", "meters_per_second")]
    [InlineData("relay.rate", "{packet}/s", "Gauge", "relay_rate_per_second", "per_second")]
    [InlineData("seconds", "s", "Gauge", "seconds", "")] // a UNIT must be a suffix after "_"
    [InlineData("relay.memory", "MiBy", "Gauge", "relay_memory_mebibytes", "mebibytes")]
    public void Family_names_carry_unit_suffixes_once(string name, string? unit, string kind, string expectedName, string expectedUnit)
    {
        var family = PrometheusNaming.FamilyName(name, unit, Enum.Parse<PrometheusMetricKind>(kind));

        Assert.Equal(expectedName, family.Name);
        Assert.Equal(expectedUnit, family.Unit);
    }

    [Theory]
    [InlineData("gen_ai.client.operation.duration", "gen_ai_client_operation_duration")]
    [InlineData("http..server--requests", "http_server_requests")]
    [InlineData("relay/queue depth", "relay_queue_depth")]
    [InlineData("1st.metric", "_1st_metric")]
    [InlineData("relay:recorded", "relay:recorded")]
    [InlineData("créé", "cr_")]
    public void Metric_names_are_sanitised(string name, string expected) =>
        Assert.Equal(expected, PrometheusNaming.SanitizeMetricName(name));

    [Theory]
    [InlineData("http.request.method", "http_request_method")]
    [InlineData("gen_ai..system", "gen_ai_system")]
    [InlineData("2xx", "key_2xx")]
    [InlineData("__reserved", "_reserved")]
    [InlineData("a:b", "a_b")]
    public void Label_names_are_sanitised(string name, string expected) =>
        Assert.Equal(expected, PrometheusNaming.SanitizeLabelName(name));
}
