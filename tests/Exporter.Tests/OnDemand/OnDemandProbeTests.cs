using System.Net;
using RelayExporter.Simulator;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.OnDemand;

[Collection(ExporterHostCollection.Name)]
public sealed class OnDemandProbeTests : IAsyncLifetime
{
    private SimulatorHost _simulator = null!;
    private ExporterHost _exporter = null!;
    private HttpClient _client = null!;
    private EnvironmentScope _key = null!;
    private const string AdminToken = "on-demand-admin-token";

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        _key = new EnvironmentScope([new("ON_DEMAND_TEST_KEY", "sk-on-demand-test"), new("ON_DEMAND_ADMIN_TOKEN", AdminToken)]);
        // Scheduled checks run once an hour here: only on-demand probes reach the simulator during the test.
        _exporter = await ExporterHost.StartAsync($$"""
            defaults:
              checks:
                models: { interval: 1h }
            targets:
              - { name: relay-a, kind: relay, protocol: openai, base_url: "{{_simulator.TargetUrl("relay-a")}}", credential: { env: ON_DEMAND_TEST_KEY }, models: [gpt-4.1, claude-sonnet-4.5], checks: { models: {} }, prices: { claude-sonnet-4.5: { input: 6, output: 30 } } }
              - { name: anthropic, protocol: anthropic, base_url: "{{_simulator.TargetUrl("anthropic")}}", credential: { env: ON_DEMAND_TEST_KEY }, models: [claude-sonnet-4.5], checks: { models: {} } }
            prices:
              claude-sonnet-4.5: { input: 3, output: 15 }
            admin:
              token: { env: ON_DEMAND_ADMIN_TOKEN }
            """);
        _client = _exporter.CreateClient();
        _client.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken); // chat and stream probes need it
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _exporter.DisposeAsync();
        await _simulator.DisposeAsync();
        _key.Dispose();
    }

    [Fact]
    public async Task Probe_runs_now_and_returns_its_metrics()
    {
        var text = await _client.GetStringAsync("/probe?target=anthropic&check=stream");
        var metrics = ScrapedMetrics.Parse(text);

        Assert.Equal(1, metrics.Find("relay_probe_success")!.Value);
        Assert.Equal(1, metrics.Find("relay_probes_total", ("outcome", "success"))!.Value);
        Assert.Equal(200, metrics.Find("relay_probe_http_status_code")!.Value);
        Assert.True(metrics.Find("relay_probe_time_to_first_token_seconds_sum")!.Value > 0);
        Assert.Equal(1, metrics.Find("relay_probe_time_to_first_token_seconds_count")!.Value);
        Assert.True(metrics.Find("relay_probe_tokens_total", ("type", "output"))!.Value > 0);
        Assert.True(metrics.Find("relay_probe_cost_usd_total")!.Value > 0);
        Assert.Equal(5, metrics.Named("relay_probe_phase_duration_seconds").Count());
        var promtool = await Promtool.CheckMetricsAsync(text);
        Assert.True(promtool.ExitCode == 0, promtool.StandardOutput + promtool.StandardError);
    }

    [Fact]
    public async Task Probe_with_a_fault_says_which_outcome_and_the_chosen_model()
    {
        using var admin = new HttpClient { BaseAddress = _simulator.AdminUrl };
        (await admin.PutAsync("/_sim/faults/relay-a/claude-sonnet-4.5", new StringContent("""{"kind":"rate_limited","retry_after_s":7}"""))).EnsureSuccessStatusCode();

        var limited = ScrapedMetrics.Parse(await _client.GetStringAsync("/probe?target=relay-a&check=chat&model=claude-sonnet-4.5"));
        var fine = ScrapedMetrics.Parse(await _client.GetStringAsync("/probe?target=relay-a&check=chat&model=gpt-4.1"));

        Assert.Equal(1, limited.Find("relay_probes_total", ("outcome", "rate_limited"))!.Value);
        Assert.Equal(429, limited.Find("relay_probe_http_status_code")!.Value);
        Assert.Equal(1, fine.Find("relay_probe_success")!.Value);
    }

    [Fact]
    public async Task Debug_trace_shows_request_response_timings_outcome_and_reason_without_the_key()
    {
        var trace = await _client.GetStringAsync("/probe?target=relay-a&check=models&debug=true");

        Assert.Contains($"Request: GET {_simulator.TargetUrl("relay-a")}v1/models", trace);
        Assert.Contains("Authorization: <redacted>", trace);
        Assert.Contains("Response: HTTP/1.1 200", trace);
        // No DNS for an IP address and no TLS over http: those phases did not happen.
        Assert.Matches(@"Phases: dns -, connect [\d.]+s, tls -, first byte [\d.]+s, transfer [\d.]+s", trace);
        Assert.Contains("Outcome: success", trace);
        Assert.Contains("Reason: ", trace);
        Assert.DoesNotContain("sk-on-demand-test", trace);
    }

    [Theory]
    [InlineData("/probe?check=models", "missing parameter 'target'")]
    [InlineData("/probe?target=relay-a", "missing parameter 'check'")]
    [InlineData("/probe?target=nope&check=models", "unknown target 'nope'; configured targets: relay-a, anthropic")]
    [InlineData("/probe?target=relay-a&check=embeddings", "unknown check 'embeddings'; known checks: health, models, chat, stream")]
    [InlineData("/probe?target=relay-a&check=chat", "check 'chat' needs a 'model' parameter, one of: gpt-4.1, claude-sonnet-4.5")]
    [InlineData("/probe?target=relay-a&check=chat&model=gpt-9", "unknown model 'gpt-9' for target 'relay-a'; configured models: gpt-4.1, claude-sonnet-4.5")]
    [InlineData("/probe?target=relay-a&check=models&model=gpt-4.1", "check 'models' does not take a model; remove the 'model' parameter")]
    [InlineData("/probe?target=relay-a&check=models&debug=yes", "parameter 'debug' must be true or false, got 'yes'")]
    public async Task Bad_requests_get_400_with_a_clear_message(string path, string message)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message + "\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_debug_trace_prices_a_probe_at_the_targets_own_prices_and_the_days_spend_counts_it()
    {
        var trace = await _client.GetStringAsync("/probe?target=relay-a&check=chat&model=claude-sonnet-4.5&debug=true");

        var tokens = System.Text.RegularExpressions.Regex.Match(trace, @"Tokens: input (\d+), output (\d+), cost \$([0-9.]+)");
        Assert.True(tokens.Success, trace);
        var (input, output) = (long.Parse(tokens.Groups[1].Value), long.Parse(tokens.Groups[2].Value));
        // The relay's mark-up (6 and 30 USD per million), not the global price (3 and 15).
        Assert.Equal((input * 6 + output * 30) / 1e6, double.Parse(tokens.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture), 8);

        using var targets = System.Text.Json.JsonDocument.Parse(await _client.GetStringAsync("/api/v1/targets"));
        var spend = targets.RootElement.GetProperty("spend");
        Assert.True(spend.GetProperty("spent_today_usd").GetDouble() >= (input * 6 + output * 30) / 1e6);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, spend.GetProperty("budget_usd_per_day").ValueKind);
        Assert.Equal("running", spend.GetProperty("paid_checks").GetString());
    }
}
