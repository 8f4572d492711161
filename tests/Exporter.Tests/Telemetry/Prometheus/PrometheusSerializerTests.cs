using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using RelayExporter.Telemetry.Prometheus;

namespace RelayExporter.Tests.Telemetry.Prometheus;

public sealed class PrometheusSerializerTests
{
    /// <summary>Array attributes are written without JsonSerializer (no reflection); the text must stay what it wrote.</summary>
    [Fact]
    public void Array_label_values_are_the_json_that_JsonSerializer_writes()
    {
        object?[][] arrays =
        [
            ["a", "quote \" and \\ and <html> & 'x' é \u2028", "", null],
            [true, false],
            [1, -2L, (short)3, (sbyte)-4, (byte)5, (ushort)6, 7u, ulong.MaxValue, long.MinValue],
            [0.1, 1e300, -0.0, 1.5f, 3.14159265358979m, 'c'],
            [TimeSpan.FromSeconds(1.5), new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc)],
            [],
        ];
        foreach (var array in arrays)
        {
            var expected = System.Text.Json.JsonSerializer.Serialize(array.Select(i =>
                i is null or string or bool || i.GetType().IsPrimitive || i is decimal ? i : PrometheusSerializer.Stringify(i)).ToList());
            Assert.Equal(expected, PrometheusSerializer.Stringify(array));
        }
    }

    [Fact]
    public async Task Monotonic_sums_are_counters_with_total_in_both_formats()
    {
        using var harness = new MeterHarness();
        harness.Meter.CreateCounter<long>("relay.requests", "{request}", "Requests handled").Add(5, new KeyValuePair<string, object?>("route", "/a"));
        harness.Meter.CreateCounter<double>("relay.sent.bytes.total", "By").Add(1.5);

        var text = await harness.RenderAsync(PrometheusFormat.Text004);
        var openMetrics = await harness.RenderAsync(PrometheusFormat.OpenMetrics100);

        AssertHasLines(text,
            "# HELP relay_requests_total Requests handled",
            "# TYPE relay_requests_total counter",
            "relay_requests_total{route=\"/a\"} 5");
        AssertHasLines(text, "# TYPE relay_sent_bytes_total counter", "relay_sent_bytes_total 1.5");
        AssertHasLines(openMetrics,
            "# TYPE relay_requests counter",
            "# HELP relay_requests Requests handled",
            "relay_requests_total{route=\"/a\"} 5");
        AssertHasLines(openMetrics,
            "# TYPE relay_sent_bytes counter",
            "# UNIT relay_sent_bytes bytes",
            "relay_sent_bytes_total 1.5");
        Assert.DoesNotContain("_total_total", text + openMetrics);
    }

    [Fact]
    public async Task Non_monotonic_sums_and_gauges_are_gauges()
    {
        using var harness = new MeterHarness();
        harness.Meter.CreateUpDownCounter<int>("relay.queue.depth", "{item}").Add(-3);
        harness.Meter.CreateObservableGauge("relay.temperature", () => 21.5, "Cel");

        var text = await harness.RenderAsync(PrometheusFormat.Text004);

        AssertHasLines(text, "# TYPE relay_queue_depth gauge", "relay_queue_depth -3");
        AssertHasLines(text, "# TYPE relay_temperature_celsius gauge", "relay_temperature_celsius 21.5");
        Assert.DoesNotContain("counter", text);
    }

    [Fact]
    public async Task Histograms_have_cumulative_buckets_ending_in_plus_inf_with_sum_and_count()
    {
        using var harness = new MeterHarness(configure: m => m.AddView("relay.latency",
            new ExplicitBucketHistogramConfiguration { Boundaries = [1, 5, 10] }));
        var histogram = harness.Meter.CreateHistogram<double>("relay.latency", "s", "Latency");
        foreach (var value in new[] { 0.5, 3, 7, 100 })
        {
            histogram.Record(value, new KeyValuePair<string, object?>("op", "read"));
        }

        var text = await harness.RenderAsync(PrometheusFormat.Text004);
        var openMetrics = await harness.RenderAsync(PrometheusFormat.OpenMetrics100);

        AssertHasLines(text,
            "# HELP relay_latency_seconds Latency",
            "# TYPE relay_latency_seconds histogram",
            "relay_latency_seconds_bucket{op=\"read\",le=\"1\"} 1",
            "relay_latency_seconds_bucket{op=\"read\",le=\"5\"} 2",
            "relay_latency_seconds_bucket{op=\"read\",le=\"10\"} 3",
            "relay_latency_seconds_bucket{op=\"read\",le=\"+Inf\"} 4",
            "relay_latency_seconds_sum{op=\"read\"} 110.5",
            "relay_latency_seconds_count{op=\"read\"} 4");
        AssertHasLines(openMetrics,
            "# TYPE relay_latency_seconds histogram",
            "# UNIT relay_latency_seconds seconds",
            "# HELP relay_latency_seconds Latency",
            "relay_latency_seconds_bucket{op=\"read\",le=\"1.0\"} 1",
            "relay_latency_seconds_bucket{op=\"read\",le=\"5.0\"} 2",
            "relay_latency_seconds_bucket{op=\"read\",le=\"10.0\"} 3",
            "relay_latency_seconds_bucket{op=\"read\",le=\"+Inf\"} 4",
            "relay_latency_seconds_sum{op=\"read\"} 110.5",
            "relay_latency_seconds_count{op=\"read\"} 4");
    }

    [Fact]
    public async Task Label_values_escape_backslash_quote_and_newline()
    {
        using var harness = new MeterHarness();
        harness.Meter.CreateCounter<long>("relay.requests").Add(1, new KeyValuePair<string, object?>("path", "C:\\dir \"x\"\nnext"));

        foreach (var format in new[] { PrometheusFormat.Text004, PrometheusFormat.OpenMetrics100 })
        {
            Assert.Contains("relay_requests_total{path=\"C:\\\\dir \\\"x\\\"\\nnext\"} 1\n", await harness.RenderAsync(format));
        }
    }

    [Fact]
    public async Task Help_escapes_backslash_and_newline_and_in_openmetrics_quotes()
    {
        using var harness = new MeterHarness();
        harness.Meter.CreateObservableGauge("relay.up", () => 1, description: "Line one\nback\\slash \"quoted\"");

        Assert.Contains("# HELP relay_up Line one\\nback\\\\slash \"quoted\"\n", await harness.RenderAsync(PrometheusFormat.Text004));
        Assert.Contains("# HELP relay_up Line one\\nback\\\\slash \\\"quoted\\\"\n", await harness.RenderAsync(PrometheusFormat.OpenMetrics100));
    }

    [Fact]
    public async Task Names_and_label_names_are_sanitised_end_to_end()
    {
        using var harness = new MeterHarness();
        harness.Meter.CreateHistogram<double>("gen_ai.client.operation.duration", "s").Record(
            0.2, new KeyValuePair<string, object?>("gen_ai.system", "openai"), new KeyValuePair<string, object?>("2xx", true));

        var text = await harness.RenderAsync(PrometheusFormat.Text004);

        Assert.Contains("gen_ai_client_operation_duration_seconds_count{key_2xx=\"true\",gen_ai_system=\"openai\"} 1\n", text);
    }

    [Fact]
    public async Task Numbers_are_invariant_round_trippable_and_integers_have_no_exponent()
    {
        using var harness = new MeterHarness();
        foreach (var (name, value) in new[]
        {
            ("v.nan", double.NaN), ("v.pinf", double.PositiveInfinity), ("v.ninf", double.NegativeInfinity), ("v.tenth", 0.1),
            ("v.third", 1.0 / 3), ("v.tiny", 1e-7), ("v.whole", 3.0),
        })
        {
            harness.Meter.CreateObservableGauge(name, () => value);
        }

        harness.Meter.CreateObservableGauge("v.long", () => long.MaxValue);
        harness.Meter.CreateObservableGauge("v.negative", () => -1234567890123L);

        var text = await harness.RenderAsync(PrometheusFormat.Text004);

        AssertHasLines(text, "v_nan NaN");
        AssertHasLines(text, "v_pinf +Inf");
        AssertHasLines(text, "v_ninf -Inf");
        AssertHasLines(text, "v_tenth 0.1");
        AssertHasLines(text, "v_third 0.3333333333333333");
        Assert.Equal(1.0 / 3, double.Parse("0.3333333333333333", System.Globalization.CultureInfo.InvariantCulture));
        AssertHasLines(text, "v_tiny 1E-07");
        AssertHasLines(text, "v_whole 3");
        AssertHasLines(text, "v_long 9223372036854775807");
        AssertHasLines(text, "v_negative -1234567890123");
    }

    [Fact]
    public async Task Eof_terminates_openmetrics_only()
    {
        using var harness = new MeterHarness();
        harness.Meter.CreateCounter<long>("relay.requests").Add(1);

        var text = await harness.RenderAsync(PrometheusFormat.Text004);
        var openMetrics = await harness.RenderAsync(PrometheusFormat.OpenMetrics100);

        Assert.DoesNotContain("# EOF", text);
        Assert.EndsWith("\n# EOF\n", openMetrics);
        Assert.Single(openMetrics.Split('\n'), l => l == "# EOF");
        using var empty = new MeterHarness();
        Assert.Equal(string.Empty, await empty.RenderAsync(PrometheusFormat.Text004));
        Assert.Equal("# EOF\n", await empty.RenderAsync(PrometheusFormat.OpenMetrics100));
    }

    [Fact]
    public async Task Resource_attributes_become_target_info()
    {
        using var harness = new MeterHarness(resource: r => r.Clear().AddService("relay-exporter", serviceInstanceId: "pod-1")
            .AddAttributes([new("deployment.environment", "prod")]));
        harness.Meter.CreateCounter<long>("relay.requests").Add(1);

        var text = await harness.RenderAsync(PrometheusFormat.Text004);
        var openMetrics = await harness.RenderAsync(PrometheusFormat.OpenMetrics100);

        const string sample = "target_info{deployment_environment=\"prod\",service_instance_id=\"pod-1\",service_name=\"relay-exporter\"} 1";
        AssertHasLines(text, "# HELP target_info Target metadata", "# TYPE target_info gauge", sample);
        AssertHasLines(openMetrics, "# TYPE target info", "# HELP target Target metadata", sample);
    }

    [Fact]
    public async Task Empty_resource_emits_no_target_info()
    {
        using var harness = new MeterHarness(resource: r => r.Clear());
        harness.Meter.CreateCounter<long>("relay.requests").Add(1);

        Assert.DoesNotContain("target", await harness.RenderAsync(PrometheusFormat.OpenMetrics100));
    }

    [Fact]
    public async Task Series_an_observable_gauge_stops_reporting_disappear()
    {
        using var harness = new MeterHarness();
        var reported = new[] { "a", "b" };
        harness.Meter.CreateObservableGauge("relay.queue.size",
            () => reported.Select(q => new Measurement<long>(q.Length * 10, new KeyValuePair<string, object?>("queue", q))));

        var first = await harness.RenderAsync(PrometheusFormat.Text004);
        reported = ["a"];
        var second = await harness.RenderAsync(PrometheusFormat.Text004);

        Assert.Contains("relay_queue_size{queue=\"a\"} 10\n", first);
        Assert.Contains("relay_queue_size{queue=\"b\"} 10\n", first);
        Assert.Contains("relay_queue_size{queue=\"a\"} 10\n", second);
        Assert.DoesNotContain("queue=\"b\"", second);
    }

    [Fact]
    public async Task Metrics_with_the_same_prometheus_name_form_one_grouped_family()
    {
        using var harness = new MeterHarness(new PrometheusScrapeOptions { IncludeScopeLabels = true }, meterCount: 2);
        foreach (var meter in harness.Meters)
        {
            var counter = meter.CreateCounter<long>("relay.requests", description: "Requests");
            counter.Add(1, new KeyValuePair<string, object?>("route", "/a"));
            counter.Add(2, new KeyValuePair<string, object?>("route", "/b"));
        }

        harness.Meter.CreateObservableGauge("relay.other", () => 1);

        var lines = (await harness.RenderAsync(PrometheusFormat.OpenMetrics100)).Split('\n');

        Assert.Single(lines, l => l == "# TYPE relay_requests counter");
        Assert.Single(lines, l => l == "# HELP relay_requests Requests");
        var samples = lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("relay_requests_total{", StringComparison.Ordinal)).Select(x => x.i).ToList();
        Assert.Equal(4, samples.Count);
        Assert.Equal(Enumerable.Range(samples[0], 4), samples); // contiguous
        foreach (var meter in harness.Meters)
        {
            Assert.Contains(
                $"relay_requests_total{{otel_scope_name=\"{meter.Name}\",otel_scope_version=\"1.0.0\",route=\"/b\"}} 2", lines);
        }
    }

    [Fact]
    public async Task Attributes_colliding_after_sanitising_are_merged_in_key_order()
    {
        using var harness = new MeterHarness();
        harness.Meter.CreateObservableGauge("m", () => new Measurement<long>(1, new("a_b", "2"), new("a.b", "1")));

        Assert.Contains("m{a_b=\"1;2\"} 1\n", await harness.RenderAsync(PrometheusFormat.Text004));
    }

    /// <summary>Asserts the lines appear consecutively and in order.</summary>
    private static void AssertHasLines(string text, params string[] lines) =>
        Assert.True(text.Contains(string.Join('\n', lines) + "\n", StringComparison.Ordinal),
            $"Expected consecutive lines:\n{string.Join('\n', lines)}\n--- in ---\n{text}");
}
