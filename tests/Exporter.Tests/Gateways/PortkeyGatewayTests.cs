using System.Text.Json;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Tests.Infrastructure;
using RelayExporter.Outcomes;

namespace RelayExporter.Tests.Gateways;

/// <summary>
/// A real third-party gateway in front of the simulator: the exporter probes Portkey's open-source gateway, configured
/// with the headers it needs (x-portkey-provider, x-portkey-custom-host), and for every request the official OpenAI
/// SDK (Gateways/portkey/verdict.mjs) is asked the same: both must agree on whether the answer was good.
/// </summary>
public sealed class PortkeyGatewayTests(PortkeyGateway portkey) : IClassFixture<PortkeyGateway>, IAsyncLifetime
{
    private const string KeyVariable = "PORTKEY_GATEWAY_TEST_KEY";
    private const string Key = "sk-portkey-gateway-test";
    private const string Model = "gpt-4.1";
    private static readonly TimeSpan VerdictDeadline = TimeSpan.FromSeconds(60);
    private readonly EnvironmentScope _environment = new([new(KeyVariable, Key)]);

    public Task InitializeAsync() => portkey.ClearFaultsAsync();

    public async Task DisposeAsync()
    {
        await portkey.ClearFaultsAsync();
        _environment.Dispose();
    }

    [Fact]
    public async Task Health_models_chat_and_stream_through_the_gateway_succeed_with_the_sdks_tokens_and_time_to_first_token()
    {
        // Every answer waits 400 ms before its headers, and a stream 150 ms before each further frame: time to first
        // token through the gateway must show the first wait and none of the others (the gateway streams, not buffers).
        await portkey.SetFaultAsync("openai", null, """{"kind":"slow","delay_ms":400,"token_delay_ms":150}""");
        using var rig = new ProbeRig(Options());

        var health = await rig.ProbeAsync("portkey", CheckKinds.Health.Name);
        Assert.True(health.Succeeded, $"health: {health.Outcome} {health.Reason}");
        foreach (var check in new[] { CheckKinds.Models.Name, CheckKinds.Chat.Name, CheckKinds.Stream.Name })
        {
            var ours = await rig.ProbeAsync("portkey", check, check == CheckKinds.Models.Name ? null : Model);
            var sdk = await SdkVerdictAsync(check);

            Assert.True(ours.Succeeded, $"{check}: {ours.Outcome} {ours.Reason}");
            Assert.True(SdkSucceeded(sdk, check), $"{check}: the SDK says {sdk}");
            if (check == CheckKinds.Models.Name) continue;
            var usage = sdk.GetProperty("usage");
            Assert.Equal(usage.GetProperty("completion_tokens").GetInt64(), ours.Generation!.Usage!.OutputTokens);
            Assert.Equal(usage.GetProperty("prompt_tokens").GetInt64(), ours.Generation.Usage.InputTokens);
            if (check != CheckKinds.Stream.Name) continue;
            var ourTtft = ours.Generation.TimeToFirstToken!.Value;
            var sdkTtft = TimeSpan.FromMilliseconds(sdk.GetProperty("ttft_ms").GetDouble());
            // Both see the injected delay. The two are not compared with each other: Node and the SDK add from 0.1 s to
            // over 2 s of their own on a busy test machine (where curl sees 0.45 s), and so does a loaded test host.
            Assert.True(ourTtft >= TimeSpan.FromMilliseconds(400), $"our time to first token {ourTtft} is shorter than the delay");
            Assert.True(sdkTtft >= TimeSpan.FromMilliseconds(400), $"the SDK's time to first token {sdkTtft} is shorter than the delay");
            // The first token, not the end: at least the further frames' waits (5 tokens, 4 × 150 ms) came after it.
            Assert.True(ours.Duration - ourTtft >= TimeSpan.FromMilliseconds(600), $"time to first token {ourTtft} of a stream that took {ours.Duration}");
        }
    }

    public static TheoryData<string, string?, string, string, ProbeOutcome> Faults() => new()
    {
        // What goes wrong behind the gateway, for which model, the simulator's fault, the check, and our outcome.
        { "rejected key", null, """{"kind":"unauthorized"}""", CheckKinds.Models.Name, ProbeOutcome.AuthError },
        // Portkey answers a refused upstream with HTTP 500 and a text/plain "fetch failed … ECONNREFUSED": the gateway
        // itself is up and answering, so server_error (not connect_error, which would say the gateway is unreachable).
        { "refused upstream", null, """{"kind":"down"}""", CheckKinds.Models.Name, ProbeOutcome.ServerError },
        { "rate limited", null, """{"kind":"rate_limited","retry_after_s":7}""", CheckKinds.Chat.Name, ProbeOutcome.RateLimited },
        // Portkey ends a cut stream cleanly, without [DONE] and without a finish reason: an answer cut short.
        { "stream cut", null, """{"kind":"stream_cut","after_chunks":2}""", CheckKinds.Stream.Name, ProbeOutcome.StreamError },
        { "model removed", Model, """{"kind":"model_removed"}""", CheckKinds.Chat.Name, ProbeOutcome.ModelMissing },
        { "model removed", Model, """{"kind":"model_removed"}""", CheckKinds.Models.Name, ProbeOutcome.ModelMissing },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_fault_behind_the_gateway_gives_the_right_outcome_and_the_sdk_agrees(
        string fault, string? faultModel, string faultJson, string check, ProbeOutcome expected)
    {
        await portkey.SetFaultAsync("openai", faultModel, faultJson);
        using var rig = new ProbeRig(Options());

        var ours = await rig.ProbeAsync("portkey", check, check == CheckKinds.Models.Name ? null : Model);
        var sdk = await SdkVerdictAsync(check);

        Assert.True(expected == ours.Outcome, $"{fault}: expected {expected}, got {ours.Outcome}: {ours.Reason}");
        Assert.False(SdkSucceeded(sdk, check), $"{fault}: we say {ours.Outcome}, the SDK says it succeeded: {sdk}");
        if (sdk.GetProperty("status").ValueKind == JsonValueKind.Number)
            Assert.Equal(sdk.GetProperty("status").GetInt32(), ours.StatusCode);
        if (expected == ProbeOutcome.RateLimited) Assert.Equal(TimeSpan.FromSeconds(7), ours.Trace!.RetryAfter);
        Assert.DoesNotContain(Key, ours.Reason);
    }

    /// <summary>What an application using the SDK would call a good answer: no error, a finish reason, the model listed.</summary>
    private static bool SdkSucceeded(JsonElement verdict, string check) =>
        verdict.GetProperty("ok").GetBoolean() && verdict.GetProperty("complete").GetBoolean()
        && (check != CheckKinds.Models.Name || verdict.GetProperty("models").EnumerateArray().Any(m => m.GetString() == Model));

    private async Task<JsonElement> SdkVerdictAsync(string check)
    {
        await using var node = ExternalProcess.Start("node", ["verdict.mjs"], PortkeyGateway.Directory, environment: new Dictionary<string, string>
        {
            ["BASE_URL"] = new Uri(portkey.Url, "/v1").ToString(),
            ["API_KEY"] = Key,
            ["HEADERS"] = JsonSerializer.Serialize(GatewayHeaders()),
            ["CHECK"] = check,
            ["MODEL"] = Model,
        });
        var exitCode = await node.WaitForExitAsync(VerdictDeadline);
        Assert.True(exitCode == 0, $"verdict.mjs exited {exitCode}: {node.Describe()}");
        return JsonDocument.Parse(node.StandardOutput.Trim().Split('\n')[^1]).RootElement.Clone();
    }

    private Dictionary<string, string> GatewayHeaders() => new()
    {
        ["x-portkey-provider"] = "openai",
        ["x-portkey-custom-host"] = new Uri(portkey.Simulator.TargetUrl("openai"), "/v1").ToString(),
    };

    private ExporterOptions Options()
    {
        var headers = string.Join("\n", GatewayHeaders().Select(h => $"      {h.Key}: {h.Value}"));
        var path = Path.Combine(Path.GetTempPath(), $"relay-exporter-portkey-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, $"""
            defaults:
              checks:
                {CheckKinds.Health.Name}: {"{"} interval: 30s, timeout: 15s {"}"}
                {CheckKinds.Models.Name}: {"{"} interval: 30s, timeout: 15s {"}"}
                {CheckKinds.Chat.Name}: {"{"} interval: 30s, timeout: 15s {"}"}
                {CheckKinds.Stream.Name}: {"{"} interval: 30s, timeout: 15s {"}"}
            targets:
              - name: portkey
                kind: relay
                protocol: openai
                base_url: {portkey.Url}
                credential: {"{"} env: {KeyVariable} {"}"}
                headers:
            {headers}
                models: [{Model}]
                checks:
                  health: {"{"} path: /, document: none {"}"}
                  models: {"{}"}
                  chat: {"{}"}
                  stream: {"{}"}
            """);
        return ConfigLoader.Load(path);
    }
}
