using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RelayExporter.Simulator;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Operations;

/// <summary>Admin calls need the configured bearer token; reloads apply valid configurations and reject invalid ones.</summary>
[Collection(ExporterHostCollection.Name)]
public sealed class AdminAndReloadTests : IAsyncLifetime
{
    private const string Token = "admin-token-for-tests";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private SimulatorHost _simulator = null!;
    private EnvironmentScope _environment = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        _environment = new EnvironmentScope([new("ADMIN_TEST_KEY", "sk-admin"), new("ADMIN_TEST_TOKEN", Token)]);
    }

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        _environment.Dispose();
    }

    private string Config(bool withToken, params string[] targets) =>
        "defaults:\n  checks:\n    models: { interval: 1s, timeout: 1s }\ntargets:\n" +
        string.Join("\n", targets.Select(t => $"  - {{ name: {t}, protocol: {(t == "anthropic" ? "anthropic" : "openai")}, base_url: \"{_simulator.TargetUrl(t)}\", credential: {{ env: ADMIN_TEST_KEY }}, models: [{(t == "anthropic" ? "claude-sonnet-4.5" : "gpt-4.1")}] }}")) +
        (withToken ? "\nadmin:\n  token: { env: ADMIN_TEST_TOKEN }\n" : "\n");

    [Fact]
    public async Task Without_a_configured_token_admin_calls_are_refused_with_a_clear_message()
    {
        await using var exporter = await ExporterHost.StartAsync(Config(false, "openai"));
        using var client = exporter.CreateClient();

        foreach (var path in new[] { "/-/reload", "/api/v1/circuits/openai/isolate" })
        {
            using var response = await Post(client, path, Token);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.StartsWith("admin calls are disabled: set admin.token", await Error(response));
        }
    }

    [Fact]
    public async Task No_token_or_a_wrong_token_is_refused_and_the_right_token_isolates_and_closes_a_circuit()
    {
        await using var exporter = await ExporterHost.StartAsync(Config(true, "openai"));
        using var client = exporter.CreateClient();

        using var none = await Post(client, "/api/v1/circuits/openai/isolate?model=gpt-4.1", null);
        using var wrong = await Post(client, "/api/v1/circuits/openai/isolate?model=gpt-4.1", "not-the-token");
        using var isolate = await Post(client, "/api/v1/circuits/openai/isolate?model=gpt-4.1", Token);
        var isolatedMetric = ScrapedMetrics.Parse(await client.GetStringAsync("/metrics"))
            .Find("relay_circuit_state", ("target", "openai"), ("model", "gpt-4.1"), ("state", "isolated"));
        using var close = await Post(client, "/api/v1/circuits/openai/close?model=gpt-4.1", Token);
        using var unknown = await Post(client, "/api/v1/circuits/nope/close", Token);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer realm=\"relay-exporter\"", none.Headers.WwwAuthenticate.ToString());
        Assert.Equal("this admin call needs an Authorization: Bearer <token> or an X-Admin-Token: <token> header", await Error(none));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("the token is not the configured admin token", await Error(wrong));
        Assert.Equal(HttpStatusCode.OK, isolate.StatusCode);
        Assert.Equal("isolated", JsonDocument.Parse(await isolate.Content.ReadAsStringAsync()).RootElement.GetProperty("circuits")[0].GetProperty("circuit").GetString());
        Assert.Equal(1, isolatedMetric!.Value);
        Assert.Equal("closed", JsonDocument.Parse(await close.Content.ReadAsStringAsync()).RootElement.GetProperty("circuits")[0].GetProperty("circuit").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("unknown target 'nope'; configured targets: openai", await Error(unknown));
    }

    [Fact]
    public async Task A_valid_reload_keeps_unchanged_targets_state_and_drops_removed_targets_series()
    {
        await using var exporter = await ExporterHost.StartAsync(Config(true, "openai", "anthropic", "relay-a"));
        using var client = exporter.CreateClient();
        await Eventually.UntilAsync(async () => ScrapedMetrics.Parse(await client.GetStringAsync("/metrics")).Named("relay_probes_total").Select(s => s.Labels["target"]).Distinct().Count() == 3,
            Deadline, "probes of all three targets");
        var healthyBefore = await TargetStateChangedAt(client, "openai");

        await File.WriteAllTextAsync(exporter.ConfigPath, Config(true, "openai", "anthropic"));
        using var reload = await Post(client, "/-/reload", Token);

        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        await Eventually.UntilAsync(async () => !(await client.GetStringAsync("/metrics")).Contains("target=\"relay-a\""), Deadline, "relay-a's series to leave /metrics");
        var metrics = ScrapedMetrics.Parse(await client.GetStringAsync("/metrics"));
        Assert.Equal(1, metrics.Find("relay_exporter_config_last_reload_successful")!.Value);
        Assert.NotNull(metrics.Find("relay_target_health", ("target", "openai")));
        Assert.Equal(healthyBefore, await TargetStateChangedAt(client, "openai")); // the unchanged target kept its state
        Assert.DoesNotContain("relay-a", await client.GetStringAsync("/api/v1/targets"));
    }

    [Fact]
    public async Task A_reload_that_removes_a_model_of_a_target_drops_that_model_s_series_and_keeps_the_others()
    {
        // Health and models checks only: removing the model removes no probe series, only the model's own.
        string OneTarget(string models) =>
            "defaults:\n  checks:\n    models: { interval: 1s, timeout: 1s }\ntargets:\n" +
            $"  - {{ name: openai, protocol: openai, base_url: \"{_simulator.TargetUrl("openai")}\", credential: {{ env: ADMIN_TEST_KEY }}, models: [{models}] }}\n" +
            "admin:\n  token: { env: ADMIN_TEST_TOKEN }\n";
        static List<ScrapedSample> Of(string metrics, string model) =>
            ScrapedMetrics.Parse(metrics).Samples.Where(s => s.Labels.GetValueOrDefault("model") == model).ToList();
        await using var exporter = await ExporterHost.StartAsync(OneTarget("gpt-4.1, o4-mini"));
        using var client = exporter.CreateClient();
        await Eventually.UntilAsync(async () =>
        {
            var metrics = await client.GetStringAsync("/metrics");
            return Of(metrics, "o4-mini").Any(s => s.Name == "relay_model_listed") && Of(metrics, "o4-mini").Any(s => s.Name == "relay_model_health_state");
        }, Deadline, "o4-mini's listing and health series");

        await File.WriteAllTextAsync(exporter.ConfigPath, OneTarget("gpt-4.1"));
        using var reload = await Post(client, "/-/reload", Token);
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);

        // Models probes go on every second meanwhile: none brings the removed model back.
        var probes = ScrapedMetrics.Parse(await client.GetStringAsync("/metrics")).Named("relay_probes_total").Sum(s => s.Value);
        await Eventually.UntilAsync(async () => ScrapedMetrics.Parse(await client.GetStringAsync("/metrics")).Named("relay_probes_total").Sum(s => s.Value) >= probes + 2,
            Deadline, "two more models probes after the reload");
        var after = await client.GetStringAsync("/metrics");
        Assert.Empty(Of(after, "o4-mini"));
        Assert.Contains(Of(after, "gpt-4.1"), s => s.Name == "relay_model_listed");
        Assert.Contains(Of(after, "gpt-4.1"), s => s.Name == "relay_model_health_state");
    }

    [Fact]
    public async Task A_reload_that_grows_the_fleet_past_the_cardinality_limits_raises_them_and_nothing_overflows()
    {
        // Limits are sized from the starting fleet (1 series + headroom), far below 300 targets' series.
        string Fleet(int targets) =>
            "defaults:\n  checks:\n    models: { interval: 2s, timeout: 1s }\ntargets:\n" +
            string.Join("\n", Enumerable.Range(0, targets).Select(i =>
                $"  - {{ name: fleet-{i:D3}, kind: provider, protocol: openai, base_url: \"{_simulator.TargetUrl("openai")}\", credential: {{ env: ADMIN_TEST_KEY }} }}")) +
            "\nadmin:\n  token: { env: ADMIN_TEST_TOKEN }\n";
        await using var exporter = await ExporterHost.StartAsync(Fleet(1));
        using var client = exporter.CreateClient();
        await Eventually.UntilAsync(async () => ScrapedMetrics.Parse(await client.GetStringAsync("/metrics")).Find("relay_probe_success", ("target", "fleet-000")) is not null,
            Deadline, "the first target's probe");

        await File.WriteAllTextAsync(exporter.ConfigPath, Fleet(300));
        using var reload = await Post(client, "/-/reload", Token);

        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        await Eventually.UntilAsync(async () => ScrapedMetrics.Parse(await client.GetStringAsync("/metrics")).Named("relay_probe_success").Count() == 300,
            Deadline, "a success series for each of the 300 targets");
        var text = await client.GetStringAsync("/metrics");
        Assert.DoesNotContain("otel_metric_overflow", text);
        Assert.Equal(300, ScrapedMetrics.Parse(text).Named("relay_probe_duration_seconds_count").Count());
    }

    [Fact]
    public async Task An_invalid_reload_is_rejected_the_old_config_keeps_running_and_the_metric_and_log_say_why()
    {
        var logs = new TestLoggerProvider();
        await using var exporter = await ExporterHost.StartAsync(Config(true, "openai"), logs: logs);
        using var client = exporter.CreateClient();

        await File.WriteAllTextAsync(exporter.ConfigPath, Config(true, "openai").Replace("protocol: openai", "protocol: smtp"));
        using var reload = await Post(client, "/-/reload", Token);

        Assert.Equal(HttpStatusCode.BadRequest, reload.StatusCode);
        var problems = JsonDocument.Parse(await reload.Content.ReadAsStringAsync()).RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetString()).ToList();
        Assert.Contains(problems, p => p!.EndsWith("targets[0].protocol: \"smtp\" is not one of: openai, anthropic, gemini, azure_openai"));
        Assert.Equal(0, ScrapedMetrics.Parse(await client.GetStringAsync("/metrics")).Find("relay_exporter_config_last_reload_successful")!.Value);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("failed; the running configuration stays in force") && e.Message.Contains("\"smtp\""));
        var probesBefore = ProbeCount(await client.GetStringAsync("/metrics"));
        await Eventually.UntilAsync(async () => ProbeCount(await client.GetStringAsync("/metrics")) > probesBefore, Deadline, "the old configuration to keep probing");
    }

    [Fact]
    public async Task A_reload_whose_paid_checks_can_spend_more_than_the_budget_is_rejected()
    {
        await using var exporter = await ExporterHost.StartAsync(Config(true, "openai"));
        using var client = exporter.CreateClient();

        // A chat check every minute, priced, against a budget of a millionth of a dollar a day.
        var overBudget = Config(true, "openai").Replace("models: [gpt-4.1] }", "models: [gpt-4.1], checks: { models: {}, chat: { interval: 1m } } }")
            + "prices:\n  gpt-4.1: { input: 2, output: 8 }\nbudget: { usd_per_day: 0.000001 }\n";
        await File.WriteAllTextAsync(exporter.ConfigPath, overBudget);
        using var reload = await Post(client, "/-/reload", Token);

        Assert.Equal(HttpStatusCode.BadRequest, reload.StatusCode);
        var problems = JsonDocument.Parse(await reload.Content.ReadAsStringAsync()).RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetString()).ToList();
        Assert.Contains(problems, p => p!.Contains("budget.usd_per_day: the paid checks can spend up to"));
    }

    [Fact]
    public async Task A_change_of_the_file_reloads_by_itself()
    {
        await using var exporter = await ExporterHost.StartAsync(Config(true, "openai"));
        using var client = exporter.CreateClient();

        await File.WriteAllTextAsync(exporter.ConfigPath, Config(true, "openai", "anthropic"));

        await Eventually.UntilAsync(async () => (await client.GetStringAsync("/api/v1/targets")).Contains("\"anthropic\""), Deadline, "the new target to appear");
    }

    [Fact]
    public async Task Sighup_reloads_the_running_executable()
    {
        var configPath = Path.Combine(Path.GetTempPath(), $"relay-exporter-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(configPath, Config(false, "openai"));
        var port = FreePort.Get();
        await using var exporter = ExternalProcess.Start("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "relay-exporter.dll"), "--config.file", configPath, "--web.listen-address", $"127.0.0.1:{port}"]);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Eventually.UntilAsync(async () => (await client.GetAsync("/-/ready")).IsSuccessStatusCode, Deadline, "the exporter to be ready");

        await File.WriteAllTextAsync(configPath, Config(false, "openai", "anthropic"));
        Assert.Equal(0, (await ProcessRunner.RunAsync("kill", ["-HUP", exporter.Id.ToString()], TimeSpan.FromSeconds(10))).ExitCode);

        await Eventually.UntilAsync(async () => (await client.GetStringAsync("/api/v1/targets")).Contains("\"anthropic\""), Deadline, "the reload after SIGHUP");
        Assert.False(exporter.HasExited, "SIGHUP must reload, not stop the exporter");
    }

    private static double ProbeCount(string metrics) => ScrapedMetrics.Parse(metrics).Named("relay_probes_total").Sum(s => s.Value);

    private static async Task<string?> TargetStateChangedAt(HttpClient client, string target)
    {
        using var document = JsonDocument.Parse(await client.GetStringAsync("/api/v1/targets"));
        var status = document.RootElement.GetProperty("targets").EnumerateArray().Single(t => t.GetProperty("name").GetString() == target);
        return $"{status.GetProperty("state").GetString()} since {status.GetProperty("state_since").GetString()}";
    }

    [Fact]
    public async Task A_scope_narrows_an_override_to_the_circuits_of_that_scope_and_no_scope_means_every_circuit_of_the_target()
    {
        await using var exporter = await ExporterHost.StartAsync(Config(true, "openai"));
        using var client = exporter.CreateClient();

        using var api = await Post(client, "/api/v1/circuits/openai/isolate?scope=api", Token);
        var afterApi = await ScrapedMetrics.ScrapeAsync(client);
        using var all = await Post(client, "/api/v1/circuits/openai/close", Token);
        using var unknownScope = await Post(client, "/api/v1/circuits/openai/isolate?scope=everything", Token);
        using var modelOfApi = await Post(client, "/api/v1/circuits/openai/isolate?scope=api&model=gpt-4.1", Token);

        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        Assert.Equal("""{"target":"openai","circuits":[{"scope":"api","model":null,"circuit":"isolated"}]}""", await api.Content.ReadAsStringAsync());
        Assert.Equal(1, afterApi.Find("relay_circuit_state", ("target", "openai"), ("scope", "api"), ("state", "isolated"))?.Value);
        Assert.Null(afterApi.Find("relay_circuit_state", ("target", "openai"), ("scope", "reachability"), ("state", "isolated")));
        var closed = JsonDocument.Parse(await all.Content.ReadAsStringAsync()).RootElement.GetProperty("circuits").EnumerateArray()
            .Select(c => $"{c.GetProperty("scope").GetString()}/{c.GetProperty("model").GetString()}={c.GetProperty("circuit").GetString()}").ToList();
        // A provider runs no health check: it has no reachability circuit.
        Assert.Equal(["api/=closed", "model/gpt-4.1=closed"], closed);
        Assert.Equal(HttpStatusCode.BadRequest, unknownScope.StatusCode);
        Assert.Equal("unknown scope 'everything'; scopes: reachability, api, model", await Error(unknownScope));
        Assert.Equal(HttpStatusCode.BadRequest, modelOfApi.StatusCode);
        Assert.Equal("a model names a circuit of scope model, not api", await Error(modelOfApi));
    }

    private static async Task<HttpResponseMessage> Post(HttpClient client, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    private static async Task<string?> Error(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
}
