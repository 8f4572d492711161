using System.Text;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Simulator;
using RelayExporter.Tests.Infrastructure;
using RelayExporter.Outcomes;

namespace RelayExporter.Tests.Probing;

/// <summary>
/// The exporter's requests carry what a target's configuration asks for — static headers, the credential in its
/// own place, query parameters — proven against simulator targets that refuse requests without them; and Azure
/// OpenAI's deployments and v1 APIs are probed end to end.
/// </summary>
public sealed class TargetRequirementsEndToEndTests : IAsyncLifetime
{
    private const string Key = "sk-requirements-e2e";
    private SimulatorHost _simulator = null!;
    private EnvironmentScope _environment = null!;

    public async Task InitializeAsync()
    {
        _environment = new EnvironmentScope([new("TREQ_KEY", Key)]);
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Targets =
            [
                new("gateway", TargetProtocol.OpenAi, RelayExporter.Simulator.TargetKind.Relay, ["gpt-4.1"])
                {
                    Providers = ["openai"],
                    Requires = new TargetRequirements
                    {
                        Headers = new Dictionary<string, string> { ["x-portkey-provider"] = "openai", ["X-Title"] = "relay exporter" },
                        Query = new Dictionary<string, string> { ["team"] = "ops" },
                        KeyHeader = "apikey",
                        Key = Key,
                    },
                },
                new("azure", TargetProtocol.AzureOpenAi, RelayExporter.Simulator.TargetKind.Provider, ["prod-gpt41"])
                {
                    Deployments = new Dictionary<string, string> { ["prod-gpt41"] = "gpt-4.1-2025-04-14" },
                    Requires = new TargetRequirements { Query = new Dictionary<string, string> { ["api-version"] = "2024-10-21" }, Key = Key },
                },
                new("azure-v1", TargetProtocol.AzureOpenAi, RelayExporter.Simulator.TargetKind.Provider, ["gpt-4.1"])
                {
                    Deployments = new Dictionary<string, string> { ["gpt-4.1"] = "gpt-4.1-2025-04-14" },
                    Requires = new TargetRequirements { Key = Key },
                },
            ],
        });
    }

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        _environment.Dispose();
    }

    [Fact]
    public async Task Every_check_succeeds_when_the_configuration_sends_what_the_gateway_requires()
    {
        using var rig = new ProbeRig(Load(GatewayTarget(headers: """
                headers:
                  x-portkey-provider: openai
                  X-Title: { value: relay exporter }
            """)));

        foreach (var (check, model) in new[] { ("health", (string?)null), ("models", null), ("chat", "gpt-4.1"), ("stream", "gpt-4.1") })
        {
            var result = await rig.ProbeAsync("gateway", check, model);
            Assert.True(result.Succeeded, $"{check}: {result.Outcome} {result.Reason}");
        }
    }

    [Fact]
    public async Task Without_a_required_header_the_gateway_refuses_and_the_probe_fails()
    {
        using var rig = new ProbeRig(Load(GatewayTarget(headers: """
                headers:
                  X-Title: relay exporter
            """)));

        var health = await rig.ProbeAsync("gateway", "health");
        var models = await rig.ProbeAsync("gateway", "models");

        Assert.Equal((ProbeOutcome.ClientError, 400), (health.Outcome, health.StatusCode));
        Assert.Equal((ProbeOutcome.ClientError, 400), (models.Outcome, models.StatusCode));
        Assert.Contains("x-portkey-provider", models.Reason);
    }

    [Fact]
    public async Task With_the_credential_in_the_default_Authorization_header_the_gateway_answers_401()
    {
        var yaml = GatewayTarget(headers: """
                headers:
                  x-portkey-provider: openai
                  X-Title: relay exporter
            """).Replace("credential: { env: TREQ_KEY, header: apikey }", "credential: { env: TREQ_KEY }");
        using var rig = new ProbeRig(Load(yaml));

        var models = await rig.ProbeAsync("gateway", "models");

        Assert.Equal((ProbeOutcome.AuthError, 401), (models.Outcome, models.StatusCode));
        Assert.DoesNotContain(Key, models.Reason);
    }

    [Theory]
    [InlineData("azure", "query: { api-version: 2024-10-21 }\n    azure: { deployments: { gpt-4.1: prod-gpt41 } }")]
    [InlineData("azure-v1", "azure: { api: v1 }")]
    public async Task Azure_openai_models_chat_and_stream_succeed_with_usage_and_time_to_first_token(string target, string azureSettings)
    {
        using var rig = new ProbeRig(Load($"""
            targets:
              - name: {target}
                protocol: azure_openai
                base_url: {_simulator.TargetUrl(target)}
                credential: {"{"} env: TREQ_KEY {"}"}
                {azureSettings}
                models: [gpt-4.1]
                checks: {"{"} models: {"{}"}, chat: {"{}"}, stream: {"{}"} {"}"}
            """));

        var models = await rig.ProbeAsync(target, "models");
        var chat = await rig.ProbeAsync(target, "chat", "gpt-4.1");
        var stream = await rig.ProbeAsync(target, "stream", "gpt-4.1");

        Assert.True(models.Succeeded, $"models: {models.Outcome} {models.Reason}");
        Assert.True(chat.Succeeded, $"chat: {chat.Outcome} {chat.Reason}");
        Assert.True(stream.Succeeded, $"stream: {stream.Outcome} {stream.Reason}");
        Assert.True(chat.Generation!.Usage!.OutputTokens > 0);
        Assert.True(stream.Generation!.Usage!.OutputTokens > 0);
        Assert.NotNull(stream.Generation.TimeToFirstToken);
    }

    [Fact]
    public async Task A_removed_azure_deployment_is_a_missing_model()
    {
        using var rig = new ProbeRig(Load($"""
            targets:
              - name: azure
                protocol: azure_openai
                base_url: {_simulator.TargetUrl("azure")}
                credential: {"{"} env: TREQ_KEY {"}"}
                query: {"{"} api-version: 2024-10-21 {"}"}
                azure: {"{"} deployments: {"{"} gpt-4.1: prod-gpt41 {"}"} {"}"}
                models: [gpt-4.1]
                checks: {"{"} chat: {"{}"} {"}"}
            """));
        using var http = new HttpClient();
        using var fault = await http.PutAsync(new Uri(_simulator.AdminUrl, "/_sim/faults/azure/prod-gpt41"),
            new StringContent("""{"kind":"model_removed"}""", Encoding.UTF8, "application/json"));
        Assert.True(fault.IsSuccessStatusCode);

        var chat = await rig.ProbeAsync("azure", "chat", "gpt-4.1");

        Assert.Equal((ProbeOutcome.ModelMissing, 404), (chat.Outcome, chat.StatusCode));
    }

    private string GatewayTarget(string headers) => $"""
        targets:
          - name: gateway
            kind: relay
            protocol: openai
            base_url: {_simulator.TargetUrl("gateway")}
            credential: {"{"} env: TREQ_KEY, header: apikey {"}"}
            query: {"{"} team: ops {"}"}
        {headers}
            models: [gpt-4.1]
            checks: {"{"} health: {"{}"}, models: {"{}"}, chat: {"{}"}, stream: {"{}"} {"}"}
        """;

    /// <summary>Long timeouts: a loaded test machine must not turn a refusal into a timeout.</summary>
    private const string Defaults = """
        defaults:
          checks:
            health: { interval: 30s, timeout: 15s }
            models: { interval: 30s, timeout: 15s }
            chat: { interval: 30s, timeout: 15s }
            stream: { interval: 30s, timeout: 15s }

        """;

    private static ExporterOptions Load(string yaml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"relay-exporter-requirements-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, Defaults + yaml);
        return ConfigLoader.Load(path);
    }
}
