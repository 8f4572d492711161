using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using RelayExporter.Simulator;
using RelayExporter.Telemetry;
using RelayExporter.Telemetry.Catalog;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Telemetry;

/// <summary>The whole exporter, probing the simulator, as Prometheus and promtool see it.</summary>
[Collection(ExporterHostCollection.Name)]
public sealed partial class ExporterScrapeTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private const string AdminToken = "scrape-test-admin-token";
    private SimulatorHost _simulator = null!;
    private SimulatorHost _secureSimulator = null!;
    private TestCertificates _certificates = null!;
    private ExporterHost _exporter = null!;
    private EnvironmentScope _key = null!;
    private TagOrderListener _tagOrder = null!;
    private SeriesCountListener _seriesCount = null!;
    private InstrumentListener _instruments = null!;

    /// <summary>
    /// Every kind of series at once: all four checks, a relay health document, a relay with more providers than the
    /// label cap, an HTTPS target, a rate-limited target whose probes get skipped, and a target that is down; the crowded
    /// relay's claude-sonnet-4.5 pairs with anthropic's for relay_direct_pair_info (its hourly stream probe fails, in a
    /// series no other assertion reads: a working one would make the single-series lookups below ambiguous).
    /// </summary>
    public async Task InitializeAsync()
    {
        var crowded = new TargetDefinition("crowded", TargetProtocol.OpenAi, TargetKind.Relay, ["gpt-4.1"])
        {
            // One name that may not be a label value (relay_upstream_values_refused_total), and more than the cap of the others.
            Providers = [.. Enumerable.Range(1, 40).Select(i => $"upstream-{i}"), "not a plain name"],
        };
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Targets = [.. DefaultTargets.All, crowded] });
        _certificates = new TestCertificates(TimeSpan.FromDays(30));
        _secureSimulator = await SimulatorHost.StartAsync(new SimulatorOptions { Certificate = _certificates.Server });
        using var admin = new HttpClient { BaseAddress = _simulator.AdminUrl };
        (await admin.PutAsync("/_sim/faults/openai", new StringContent("""{"kind":"rate_limited","retry_after_s":2}"""))).EnsureSuccessStatusCode();
        _key = new EnvironmentScope([new("EXPORTER_SCRAPE_TEST_KEY", "sk-scrape-test"), new("EXPORTER_SCRAPE_ADMIN_TOKEN", AdminToken)]);
        _tagOrder = new TagOrderListener(ExporterMetrics.MeterName);
        _seriesCount = new SeriesCountListener(ExporterMetrics.MeterName);
        _instruments = new InstrumentListener([ExporterMetrics.MeterName, SelfMetrics.MeterName, .. MetricCatalog.Kept.Select(m => m.Source!.Value.Meter).Distinct()]);
        _exporter = await ExporterHost.StartAsync($$"""
            defaults:
              checks:
                health: { interval: 1s, timeout: 1s }
                models: { interval: 1s, timeout: 1s }
                chat: { interval: 1s, timeout: 1s }
                stream: { interval: 1s, timeout: 1s }
            targets:
              - { name: relay-a, kind: relay, protocol: openai, base_url: "{{_simulator.TargetUrl("relay-a")}}", credential: { env: EXPORTER_SCRAPE_TEST_KEY }, models: [gpt-4.1], checks: { health: {}, models: {}, chat: {}, stream: {} } }
              - { name: anthropic, protocol: anthropic, base_url: "{{_simulator.TargetUrl("anthropic")}}", credential: { env: EXPORTER_SCRAPE_TEST_KEY }, models: [claude-sonnet-4.5], checks: { models: {}, stream: {} } }
              - { name: crowded, kind: relay, protocol: openai, base_url: "{{_simulator.TargetUrl("crowded")}}", models: [claude-sonnet-4.5], checks: { health: {}, stream: { interval: 1h } } }
              - { name: openai, protocol: openai, base_url: "{{_simulator.TargetUrl("openai")}}", credential: { env: EXPORTER_SCRAPE_TEST_KEY }, models: [gpt-4.1] }
              - { name: secure, protocol: openai, base_url: "{{_secureSimulator.TargetUrl("openai")}}", credential: { env: EXPORTER_SCRAPE_TEST_KEY }, models: [gpt-4.1], tls: { ca_file: "{{_certificates.AuthorityPemFile}}" } }
              - { name: down, protocol: gemini, base_url: "http://127.0.0.1:{{FreePort.Get()}}", credential: { env: EXPORTER_SCRAPE_TEST_KEY }, models: [gemini-2.5-flash] }
            metrics: { gen_ai: true }
            prices:
              gpt-4.1: { input: 2, output: 8 }
              claude-sonnet-4.5: { input: 3, output: 15 }
            budget:
              usd_per_day: 100
            admin:
              token: { env: EXPORTER_SCRAPE_ADMIN_TOKEN }
            """);
        using var client = _exporter.CreateClient();
        var cataloged = MetricCatalog.All.Select(m => m.PrometheusName).ToHashSet();
        await Eventually.UntilAsync(async () => cataloged.IsSubsetOf(EmittedFamilies(await client.GetStringAsync("/metrics")).Keys),
            Deadline, "every metric of the catalog to be emitted");
    }

    public async Task DisposeAsync()
    {
        await _exporter.DisposeAsync();
        _tagOrder.Dispose();
        _seriesCount.Dispose();
        _instruments.Dispose();
        await _simulator.DisposeAsync();
        await _secureSimulator.DisposeAsync();
        _certificates.Dispose();
        _key.Dispose();
    }

    [Fact]
    public async Task Promtool_check_metrics_finds_nothing_to_report_in_our_output()
    {
        using var client = _exporter.CreateClient();
        var text = await client.GetStringAsync("/metrics");

        var result = await Promtool.CheckMetricsAsync(text);

        Assert.True(result.ExitCode == 0 && result.StandardOutput.Trim().Length == 0 && result.StandardError.Trim().Length == 0,
            $"promtool check metrics reported:\n{result.StandardOutput}{result.StandardError}");
        Assert.Contains("relay_probes_total{", text);
    }

    [Fact]
    public async Task A_real_prometheus_scrapes_the_exporter_with_openmetrics()
    {
        await using var prometheus = await PrometheusServer.StartAsync([new ScrapeTarget("relay-exporter", $"{_exporter.BaseUrl.Host}:{_exporter.BaseUrl.Port}")]);

        await prometheus.WaitUntilAsync("up{job=\"relay-exporter\"}", r => r.Count == 1 && r[0].Value == 1, Deadline);
        var success = await prometheus.WaitUntilAsync("relay_probe_success{job=\"relay-exporter\",check=\"models\"}", r => r.Count == 5, Deadline);
        var failed = await prometheus.QueryAsync("relay_probes_total{job=\"relay-exporter\",target=\"down\",outcome=\"connect_error\"}");

        Assert.Equal(1, success.Single(s => s.Label("target") == "relay-a").Value);
        Assert.Equal(0, success.Single(s => s.Label("target") == "down").Value);
        Assert.True(Assert.Single(failed).Value >= 1);
        Assert.Contains("application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores", _exporter.ScrapeContentTypes);
    }

    [Theory]
    [InlineData("text/plain;version=0.0.4")]
    [InlineData("application/openmetrics-text;version=1.0.0")]
    public async Task Target_info_names_the_service_and_the_sdk(string accept)
    {
        using var client = _exporter.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await client.SendAsync(request);

        var info = Assert.Single(ScrapedMetrics.Parse(await response.Content.ReadAsStringAsync()).Named("target_info")).Labels;
        Assert.Equal("relay-exporter", info["service_name"]);
        Assert.Equal(BuildInfo.Current.Version, info["service_version"]);
        Assert.Equal("opentelemetry", info["telemetry_sdk_name"]);
        Assert.Equal("dotnet", info["telemetry_sdk_language"]);
        Assert.NotEmpty(info["telemetry_sdk_version"]);
    }

    [Fact]
    public async Task The_metrics_emitted_are_exactly_the_catalog_s_with_its_types_and_help()
    {
        using var client = _exporter.CreateClient();
        var emitted = EmittedFamilies(await client.GetStringAsync("/metrics"));
        // target_info is the OpenTelemetry resource, not an instrument.
        var cataloged = MetricCatalog.All.ToDictionary(m => m.PrometheusName, m => (m.PrometheusType, m.Help))
            .Append(new("target_info", ("gauge", null))).ToDictionary();

        Assert.Equal(cataloged.Keys.Order(), emitted.Keys.Order());
        // The runtime's and the process instrumentation's instruments bring their own help.
        Assert.All(emitted, e => Assert.Equal(cataloged[e.Key], (e.Value.Type, cataloged[e.Key].Help is null ? null : e.Value.Help)));
    }

    [Fact]
    public async Task Probe_writes_the_metrics_of_the_catalog_with_the_types_and_help_of_metrics()
    {
        using var client = _exporter.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken); // chat and stream probes need it
        var probed = new Dictionary<string, (string Type, string? Help)>();
        foreach (var query in new[] { "target=anthropic&check=stream", "target=relay-a&check=chat&model=gpt-4.1", "target=relay-a&check=health",
                     "target=relay-a&check=models", "target=secure&check=models" })
            foreach (var (name, family) in EmittedFamilies(await client.GetStringAsync("/probe?" + query))) probed[name] = family;
        var scraped = EmittedFamilies(await client.GetStringAsync("/metrics"));

        var cataloged = MetricCatalog.All.ToDictionary(m => m.PrometheusName);

        var mismatched = probed
            .Where(p => !cataloged.TryGetValue(p.Key, out var metric) || metric.PrometheusType != p.Value.Type || scraped[p.Key].Type != p.Value.Type)
            .Select(p => $"{p.Key}: a {p.Value.Type} in /probe, {(cataloged.TryGetValue(p.Key, out var metric) ? $"a {metric.PrometheusType} in the catalog, a {scraped[p.Key].Type} in /metrics" : "not in the catalog")}")
            .ToList();
        Assert.True(mismatched.Count == 0, string.Join("\n", mismatched));
        Assert.Superset(new HashSet<string> { "relay_probe_success", "relay_probe_duration_seconds", "relay_probes_total", "relay_probe_tokens_total",
            "relay_probe_cost_usd_total", "relay_probe_time_to_first_token_seconds", "relay_upstream_available", "relay_model_listed",
            "relay_tls_certificate_expiry_timestamp_seconds" }, probed.Keys.ToHashSet());
        Assert.All(probed, p => Assert.Equal((cataloged[p.Key].Help, scraped[p.Key].Help), (p.Value.Help, p.Value.Help)));
    }

    [Fact]
    public void Every_published_instrument_is_in_the_catalog_as_it_defines_it()
    {
        var published = _instruments.Published();
        var kept = MetricCatalog.Kept.ToDictionary(m => m.Source!.Value);

        var seen = new HashSet<MetricDefinition>();
        foreach (var (instrument, tagKeys) in published)
        {
            var own = instrument.Meter.Name is ExporterMetrics.MeterName or SelfMetrics.MeterName;
            // Of the runtime's and the process instrumentation's meters, only what the catalog keeps is exported.
            var metric = own ? MetricCatalog.Find(instrument.Name) : kept.GetValueOrDefault((instrument.Meter.Name, instrument.Name));
            if (metric is null)
            {
                Assert.False(own, $"{instrument.Meter.Name} publishes {instrument.Name}, which is not in the metric catalog");
                continue;
            }
            seen.Add(metric);
            Assert.True(KindOf(instrument) == metric.Kind || (metric.Kind == MetricKind.StateSet && KindOf(instrument) == MetricKind.Gauge),
                $"{instrument.Name} is a {instrument.GetType().Name}, the catalog says {metric.Kind}");
            Assert.Equal(metric.Unit, instrument.Unit);
            if (own) Assert.Equal(metric.Help, instrument.Description);
            Assert.Equal(metric.Buckets, BucketsOf(instrument));
            var names = metric.Labels.Select(l => l.Name).ToHashSet();
            var required = metric.Labels.Where(l => !l.Optional).Select(l => l.Name).ToHashSet();
            Assert.All(tagKeys, keys => Assert.True(keys.ToHashSet().IsSubsetOf(names) && required.IsSubsetOf(keys),
                $"{instrument.Name} recorded labels {string.Join(", ", keys)}; the catalog says {string.Join(", ", metric.Labels)}"));
        }

        // Every metric of the catalog was published (the GenAI ones too: this configuration turns them on).
        Assert.Equal(MetricCatalog.All.Select(m => m.Name).Order(), seen.Select(m => m.Name).Order());
    }

    private static MetricKind KindOf(Instrument instrument) => instrument.GetType().GetGenericTypeDefinition() switch
    {
        var t when t == typeof(Counter<>) || t == typeof(ObservableCounter<>) => MetricKind.Counter,
        var t when t == typeof(UpDownCounter<>) || t == typeof(ObservableUpDownCounter<>) => MetricKind.UpDownCounter,
        var t when t == typeof(Histogram<>) => MetricKind.Histogram,
        _ => MetricKind.Gauge,
    };

    private static double[]? BucketsOf(Instrument instrument) => instrument switch
    {
        Histogram<double> seconds => seconds.Advice?.HistogramBucketBoundaries?.ToArray(),
        Histogram<long> counts => counts.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        _ => null,
    };

    [Fact]
    public void Every_measurement_passes_its_tags_in_key_order()
    {
        var measured = _tagOrder.Measured;

        Assert.Empty(_tagOrder.Unordered);
        // Every kind of tag set was recorded: probe series, outcomes, phases, states, circuits, upstreams, GenAI, build info.
        Assert.Superset(new HashSet<string> { "relay_probes", "relay_probe_phase_duration", "relay_target_health_state", "relay_circuit_state",
            "relay_circuit_transitions", "relay_upstream_available", "relay_model_listed", "relay_probes_skipped", "relay_probe_tokens",
            "gen_ai.client.token.usage", "gen_ai.client.operation.duration", "gen_ai.client.operation.time_per_output_chunk", "relay_exporter_build_info",
            "relay_rate_limit_remaining" },
            measured.ToHashSet());
    }

    [Fact]
    public void Instruments_the_configuration_predicts_hold_no_more_series_than_predicted()
    {
        // Their cardinality limits have no headroom beyond a small constant: a series the estimate misses could overflow in a large fleet.
        var limits = new CardinalityLimits { SizedFor = FleetSize.Of(_exporter.Services.GetRequiredService<RelayExporter.Configuration.RunningConfig>().Current) };
        var predictable = _seriesCount.Counts().Where(i => !CardinalityLimits.IsOpenEnded(i.Key) && limits.Predicted(i.Key) > 0).ToList();

        Assert.Superset(new HashSet<string> { "relay_probe_phase_duration", "relay_target_health_state", "relay_model_health_state", "relay_circuit_state",
            "relay_probe_success", "relay_probe_tokens", "relay_model_listed", "relay_tls_certificate_expiry_timestamp" }, predictable.Select(i => i.Key).ToHashSet());
        Assert.All(predictable, i => Assert.True(i.Value <= limits.Predicted(i.Key), $"{i.Key}: {i.Value} series, {limits.Predicted(i.Key)} predicted"));
    }

    [Fact]
    public async Task Target_level_series_carry_what_the_targets_reported()
    {
        using var client = _exporter.CreateClient();
        var metrics = ScrapedMetrics.Parse(await client.GetStringAsync("/metrics"));

        Assert.Equal(_certificates.NotAfter.ToUnixTimeSeconds(), metrics.Find("relay_tls_certificate_expiry_timestamp_seconds", ("target", "secure"))!.Value);
        Assert.Equal(1, metrics.Find("relay_upstream_available", ("target", "relay-a"), ("provider", "anthropic"))!.Value);
        Assert.Equal(32, metrics.Named("relay_upstream_available").Count(s => s.Labels["target"] == "crowded"));
        Assert.True(metrics.Find("relay_exporter_label_overflow_total", ("label", "provider"))!.Value >= 8);
        Assert.True(metrics.Find("relay_rate_limit_remaining", ("target", "relay-a"), ("limit", "requests"))!.Value > 0);
        Assert.True(metrics.Find("relay_probes_skipped_total", ("target", "openai"), ("reason", "retry_after"))!.Value >= 1);
        Assert.True(metrics.Find("relay_probe_cost_usd_total", ("target", "relay-a"), ("model", "gpt-4.1"))!.Value > 0);
        Assert.True(metrics.Find("relay_probe_time_to_first_token_seconds_count", ("target", "anthropic"), ("model", "claude-sonnet-4.5"))!.Value >= 1);
        Assert.NotNull(metrics.Find("gen_ai_client_operation_duration_seconds_count", ("gen_ai_provider_name", "anthropic"), ("gen_ai_request_model", "claude-sonnet-4.5"), ("gen_ai_operation_name", "chat")));
        var anthropic = _simulator.TargetUrl("anthropic");
        Assert.NotNull(metrics.Find("gen_ai_client_operation_duration_seconds_count", ("gen_ai_provider_name", "anthropic"),
            ("server_address", anthropic.Host), ("server_port", anthropic.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.NotNull(metrics.Find("gen_ai_client_token_usage_count", ("gen_ai_provider_name", "openai"), ("gen_ai_token_type", "output")));
        // State sets: one series per state, exactly one of them 1; the down target is unhealthy with its circuit open.
        var states = metrics.Named("relay_target_health_state").Where(s => s.Labels["target"] == "down").ToList();
        Assert.Equal(["degraded", "healthy", "unhealthy", "unknown"], states.Select(s => s.Labels["state"]).Order());
        Assert.Equal("unhealthy", Assert.Single(states, s => s.Value == 1).Labels["state"]);
        Assert.Equal(0, metrics.Find("relay_target_health", ("target", "down"))!.Value);
        Assert.Equal(1, metrics.Find("relay_target_health", ("target", "relay-a"))!.Value);
        Assert.Equal(1, metrics.Named("relay_circuit_state").Single(s => s.Labels["target"] == "down" && !s.Labels.ContainsKey("model") && s.Labels["state"] == "open").Value);
    }

    /// <summary>Family name → its # TYPE and # HELP.</summary>
    private static Dictionary<string, (string Type, string? Help)> EmittedFamilies(string exposition)
    {
        var help = HelpLine().Matches(exposition).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        return TypeLine().Matches(exposition).ToDictionary(m => m.Groups[1].Value, m => (m.Groups[2].Value, help.GetValueOrDefault(m.Groups[1].Value)));
    }

    [GeneratedRegex(@"^# TYPE (\S+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^# HELP (\S+) (.*)$", RegexOptions.Multiline)]
    private static partial Regex HelpLine();
}
