using System.Net.Http.Json;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Simulator;
using TargetKind = RelayExporter.Configuration.TargetKind;
using RelayExporter.Tests.Infrastructure;
using RelayExporter.Outcomes;

namespace RelayExporter.Tests.Probing;

/// <summary>A simulator and a probe rig shared by the outcome table; each case sets its fault and clears it after.</summary>
public sealed class OutcomeFixture : IAsyncLifetime
{
    public const string KeyVariable = "OUTCOME_TEST_KEY";
    public SimulatorHost Simulator { get; private set; } = null!;
    public ProbeRig Rig { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;

    /// <summary>The timeout of every check here; the slow fault delays 4.5 s, well past it.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(KeyVariable, "sk-outcome-test");
        Simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        Admin = new HttpClient { BaseAddress = Simulator.AdminUrl };
        var allChecks = new Dictionary<string, CheckOptions>
        {
            // Short timeouts, so that the slow and hanging faults end in seconds; not so short that a healthy answer
            // misses them on a loaded CI machine (1 s did, for the run's first probe, cold).
            [CheckKinds.Models.Name] = new() { Interval = TimeSpan.FromMinutes(1), Timeout = ProbeTimeout },
            [CheckKinds.Chat.Name] = new() { Interval = TimeSpan.FromMinutes(1), Timeout = ProbeTimeout },
            [CheckKinds.Stream.Name] = new() { Interval = TimeSpan.FromMinutes(1), Timeout = ProbeTimeout },
        };
        TargetOptions Target(string name, ProtocolKind protocol, string model, bool relay = false) => new()
        {
            Name = name,
            Kind = relay ? TargetKind.Relay : TargetKind.Provider,
            Protocol = protocol,
            BaseUrl = Simulator.TargetUrl(name).ToString(),
            Credential = new CredentialOptions { Env = KeyVariable },
            Models = [model],
            Checks = relay ? new(allChecks) { [CheckKinds.Health.Name] = new() { Interval = TimeSpan.FromMinutes(1), Timeout = ProbeTimeout } } : allChecks,
        };
        Rig = new ProbeRig(new ExporterOptions
        {
            Targets =
            [
                Target("relay-a", ProtocolKind.Openai, "gpt-4.1", relay: true),
                Target("openai", ProtocolKind.Openai, "gpt-4.1"),
                Target("anthropic", ProtocolKind.Anthropic, "claude-sonnet-4.5"),
                Target("gemini", ProtocolKind.Gemini, "gemini-2.5-flash"),
                Target("deepseek", ProtocolKind.Openai, "deepseek-reasoner"),
            ],
        });
    }

    public async Task DisposeAsync()
    {
        Rig.Dispose();
        Admin.Dispose();
        await Simulator.DisposeAsync();
    }
}

/// <summary>Every simulator fault, driven into every check and protocol it applies to, ends in its one outcome.</summary>
public sealed class ProbeOutcomeTests(OutcomeFixture fixture) : IClassFixture<OutcomeFixture>
{
    private static readonly string[] Protocols = ["openai", "anthropic", "gemini"];
    private static readonly Dictionary<string, string> Models = new()
    {
        ["relay-a"] = "gpt-4.1", ["openai"] = "gpt-4.1", ["anthropic"] = "claude-sonnet-4.5", ["gemini"] = "gemini-2.5-flash", ["deepseek"] = "deepseek-reasoner",
    };

    public static TheoryData<string, string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string, string>();
        void Add(string fault, string check, string outcome, params string[] targets)
        {
            foreach (var target in targets.Length > 0 ? targets : Protocols) data.Add(target, check, fault, outcome);
        }
        foreach (var check in new[] { "models", "chat", "stream" })
        {
            Add("", check, "success", "openai", "anthropic", "gemini", "deepseek", "relay-a");
            Add("""{"kind":"down","mode":"refused"}""", check, "connect_error");
            Add("""{"kind":"down","mode":"reset"}""", check, "connect_error");
            Add("""{"kind":"slow","delay_ms":4500}""", check, "timeout");
            Add("""{"kind":"rate_limited","retry_after_s":3}""", check, "rate_limited");
            Add("""{"kind":"status","status":500}""", check, "server_error");
            Add("""{"kind":"status","status":502}""", check, "server_error");
            Add("""{"kind":"status","status":503}""", check, "server_error");
            Add("""{"kind":"status","status":503,"overloaded":true}""", check, "overloaded");
            Add("""{"kind":"overloaded"}""", check, "overloaded");
            Add("""{"kind":"unauthorized"}""", check, "auth_error");
            Add("""{"kind":"html"}""", check, "invalid_response");
            Add("""{"kind":"garbage"}""", check, "invalid_response");
            Add("""{"kind":"redirect","location":"http://127.0.0.1:9/elsewhere"}""", check, "invalid_response");
        }
        Add("""{"kind":"stream_cut","after_chunks":2}""", "models", "invalid_response");
        Add("""{"kind":"stream_cut","after_chunks":2}""", "chat", "invalid_response");
        Add("""{"kind":"stream_cut","after_chunks":2}""", "stream", "stream_error");
        Add("""{"kind":"stream_hang","after_chunks":2}""", "chat", "timeout");
        Add("""{"kind":"stream_hang","after_chunks":2}""", "stream", "stream_error");
        // Each protocol's error event says overloaded: the type, the code, or a 503 code with its message.
        Add("""{"kind":"stream_error"}""", "stream", "overloaded");
        Add("""{"kind":"model_removed"}""", "models", "model_missing");
        Add("""{"kind":"model_removed"}""", "chat", "model_missing");
        Add("""{"kind":"model_removed"}""", "stream", "model_missing");
        Add("""{"kind":"model_substituted","model":"cheap-model-1"}""", "chat", "model_substituted");
        Add("""{"kind":"model_substituted","model":"cheap-model-1"}""", "stream", "model_substituted");
        Add("", "health", "success", "relay-a");
        Add("""{"kind":"provider_unavailable","provider":"anthropic"}""", "health", "success", "relay-a");
        Add("""{"kind":"down","mode":"refused"}""", "health", "connect_error", "relay-a");
        Add("""{"kind":"html"}""", "health", "invalid_response", "relay-a");
        Add("""{"kind":"garbage"}""", "health", "invalid_response", "relay-a");
        Add("""{"kind":"status","status":502}""", "health", "server_error", "relay-a");
        Add("""{"kind":"slow","delay_ms":4500}""", "health", "timeout", "relay-a");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Fault_ends_in_its_outcome(string target, string check, string fault, string outcome)
    {
        var model = Models[target];
        if (fault.Length > 0)
        {
            // A removed or substituted model, and stream faults of per-model checks, are set on the model; the rest on the whole target.
            var path = fault.Contains("model_removed") || fault.Contains("model_substituted") || (CheckKinds.Of(check).PerModel && fault.Contains("stream_"))
                ? $"/_sim/faults/{target}/{model}" : $"/_sim/faults/{target}";
            using var set = await fixture.Admin.PutAsync(path, new StringContent(fault));
            Assert.True(set.IsSuccessStatusCode, $"setting {fault}: {await set.Content.ReadAsStringAsync()}");
        }
        try
        {
            var result = await fixture.Rig.ProbeAsync(target, check, CheckKinds.Of(check).PerModel ? model : null);

            Assert.True(result.Outcome.Label() == outcome, $"{target}/{check} with {fault}: expected {outcome}, got {result.Outcome.Label()}: {result.Reason}");
            Assert.False(string.IsNullOrWhiteSpace(result.Reason));
        }
        finally
        {
            (await fixture.Admin.DeleteAsync("/_sim/faults")).EnsureSuccessStatusCode();
        }
    }
}
