using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Simulator;
using RelayExporter.Telemetry;
using RelayExporter.Tests.Infrastructure;
using RelayExporter.Outcomes;

namespace RelayExporter.Tests.Telemetry;

/// <summary>
/// The GenAI instruments measured against the OpenTelemetry semantic conventions v1.41.0, the version docs/metrics.md pins
/// (model/gen-ai/metrics.yaml, docs/gen-ai/gen-ai-metrics.md): real probes of the simulator, every measurement checked.
/// </summary>
public sealed class GenAiConventionsTests
{
    // "This metric SHOULD be specified with ExplicitBucketBoundaries of [...]" for each client instrument.
    private static readonly double[] SecondsBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
    private static readonly double[] TokenBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    // metric_attributes.gen_ai, which every client instrument extends: required, conditionally required (the request model
    // "if available", which it always is here; server.port "if server.address is set"), recommended.
    private static readonly string[] CommonAttributes =
        ["gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model", "server.port", "gen_ai.response.model", "server.address"];

    private sealed record Convention(string Name, Type Instrument, string Unit, double[] Boundaries, string[] Required, string? OnError);

    private static readonly Convention[] ClientInstruments =
    [
        new("gen_ai.client.operation.duration", typeof(Histogram<double>), "s", SecondsBoundaries, [], OnError: "error.type"),
        new("gen_ai.client.token.usage", typeof(Histogram<long>), "{token}", TokenBoundaries, ["gen_ai.token.type"], OnError: null),
        new("gen_ai.client.operation.time_to_first_chunk", typeof(Histogram<double>), "s", SecondsBoundaries, [], OnError: null),
        new("gen_ai.client.operation.time_per_output_chunk", typeof(Histogram<double>), "s", SecondsBoundaries, [], OnError: null),
    ];

    [Fact]
    public async Task The_client_instruments_have_the_names_units_types_and_bucket_boundaries_of_the_conventions()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var key = Key();
        using var rig = Rig(simulator, "openai", ProtocolKind.Openai, "gpt-4.1");
        using var measurements = new GenAiMeasurements(simulator.TargetUrl("openai").Port);

        await rig.Handler.RunAsync(rig.Job("openai", CheckKinds.Stream.Name, "gpt-4.1"), CancellationToken.None);
        await rig.Handler.RunAsync(rig.Job("openai", CheckKinds.Chat.Name, "gpt-4.1"), CancellationToken.None);

        var instruments = measurements.All.Select(m => m.Instrument).DistinctBy(i => i.Name).ToDictionary(i => i.Name);
        Assert.Equal(ClientInstruments.Select(c => c.Name).Order(), instruments.Keys.Order());
        Assert.All(ClientInstruments, convention =>
        {
            var instrument = instruments[convention.Name];
            Assert.IsType(convention.Instrument, instrument);
            Assert.Equal(convention.Unit, instrument.Unit);
            Assert.Equal(convention.Boundaries, instrument switch
            {
                Histogram<double> seconds => seconds.Advice?.HistogramBucketBoundaries?.ToArray(),
                Histogram<long> tokens => tokens.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
                _ => null,
            });
        });
    }

    [Fact]
    public async Task Each_measurement_carries_the_attributes_the_conventions_give_its_instrument_and_no_others()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var key = Key();
        using var admin = new HttpClient { BaseAddress = simulator.AdminUrl };
        (await admin.PutAsync("/_sim/faults/openai/gpt-4.1-mini", new StringContent("""{"kind":"status","status":500}"""))).EnsureSuccessStatusCode();
        using var rig = Rig(simulator, "openai", ProtocolKind.Openai, "gpt-4.1", "gpt-4.1-mini", chatExpects: "not in the answer");
        using var measurements = new GenAiMeasurements(simulator.TargetUrl("openai").Port);

        // A stream that succeeds; a chat answer without what was expected (a failed probe whose tokens were still used);
        // a 500 (a failed operation with no answer, so no response model).
        var outcomes = new List<ProbeOutcome>();
        var instruments = new HashSet<string>();
        foreach (var (check, model) in new[] { (CheckKinds.Stream.Name, "gpt-4.1"), (CheckKinds.Chat.Name, "gpt-4.1"), (CheckKinds.Chat.Name, "gpt-4.1-mini") })
        {
            var result = await rig.Handler.RunAsync(rig.Job("openai", check, model), CancellationToken.None);
            var measured = measurements.Take();

            Assert.NotEmpty(measured);
            Assert.All(measured, m =>
            {
                var convention = ClientInstruments.Single(c => c.Name == m.Instrument.Name);
                var expected = CommonAttributes.Concat(convention.Required);
                if (result.Outcome == ProbeOutcome.ServerError) expected = expected.Where(a => a != "gen_ai.response.model");
                if (!result.Succeeded && convention.OnError is { } onError) expected = expected.Append(onError);
                Assert.Equal(expected.Order(), m.Tags.Keys.Order());
                Assert.Equal(model, m.Tags["gen_ai.request.model"]);
            });
            outcomes.Add(result.Outcome);
            instruments.UnionWith(measured.Select(m => m.Instrument.Name));
        }

        Assert.Equal([ProbeOutcome.Success, ProbeOutcome.ContentMismatch, ProbeOutcome.ServerError], outcomes);
        Assert.Equal(ClientInstruments.Select(c => c.Name).Order(), instruments.Order());
    }

    [Fact]
    public async Task A_failed_operation_is_recorded_in_the_duration_with_its_outcome_as_error_type()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var key = Key();
        using var admin = new HttpClient { BaseAddress = simulator.AdminUrl };
        (await admin.PutAsync("/_sim/faults/openai/gpt-4.1", new StringContent("""{"kind":"status","status":500}"""))).EnsureSuccessStatusCode();
        (await admin.PutAsync("/_sim/faults/openai/gpt-4.1-mini", new StringContent("""{"kind":"stream_cut","after_chunks":2}"""))).EnsureSuccessStatusCode();
        using var rig = Rig(simulator, "openai", ProtocolKind.Openai, "gpt-4.1", "gpt-4.1-mini");
        using var measurements = new GenAiMeasurements(simulator.TargetUrl("openai").Port);

        var serverError = await rig.Handler.RunAsync(rig.Job("openai", CheckKinds.Chat.Name, "gpt-4.1"), CancellationToken.None);
        var cut = await rig.Handler.RunAsync(rig.Job("openai", CheckKinds.Stream.Name, "gpt-4.1-mini"), CancellationToken.None);

        Assert.Equal((ProbeOutcome.ServerError, ProbeOutcome.StreamError), (serverError.Outcome, cut.Outcome));
        var durations = measurements.All.Where(m => m.Instrument.Name == "gen_ai.client.operation.duration").ToList();
        Assert.Equal(
            [("gpt-4.1", "server_error"), ("gpt-4.1-mini", "stream_error")],
            durations.Select(m => ((string)m.Tags["gen_ai.request.model"]!, (string?)m.Tags.GetValueOrDefault("error.type"))).Order());
        Assert.All(durations, m => Assert.Equal(("chat", "openai"), (m.Tags["gen_ai.operation.name"], m.Tags["gen_ai.provider.name"])));
    }

    [Fact]
    public async Task Gemini_is_the_generate_content_operation_of_gcp_gemini()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var key = Key();
        using var rig = Rig(simulator, "gemini", ProtocolKind.Gemini, "gemini-2.5-flash");
        using var measurements = new GenAiMeasurements(simulator.TargetUrl("gemini").Port);

        var result = await rig.Handler.RunAsync(rig.Job("gemini", CheckKinds.Chat.Name, "gemini-2.5-flash"), CancellationToken.None);

        Assert.Equal(ProbeOutcome.Success, result.Outcome);
        var duration = Assert.Single(measurements.All, m => m.Instrument.Name == "gen_ai.client.operation.duration");
        Assert.Equal(("generate_content", "gcp.gemini", "gemini-2.5-flash"),
            (duration.Tags["gen_ai.operation.name"], duration.Tags["gen_ai.provider.name"], duration.Tags["gen_ai.response.model"]));
    }

    [Theory]
    [InlineData(ProtocolKind.Openai, "https://api.deepseek.com", "chat", "deepseek")]
    [InlineData(ProtocolKind.Openai, "https://API.DeepSeek.com/beta", "chat", "deepseek")]
    [InlineData(ProtocolKind.Openai, "https://api.openai.com", "chat", "openai")]
    [InlineData(ProtocolKind.Openai, "https://relay.example.com", "chat", "openai")]
    [InlineData(ProtocolKind.Anthropic, "https://api.anthropic.com", "chat", "anthropic")]
    [InlineData(ProtocolKind.Gemini, "https://generativelanguage.googleapis.com", "generate_content", "gcp.gemini")]
    [InlineData(ProtocolKind.AzureOpenai, "https://my-resource.openai.azure.com", "chat", "azure.ai.openai")]
    public void Operation_and_provider_names_are_the_conventions_values_for_the_target(ProtocolKind protocol, string baseUrl, string operation, string provider)
    {
        var system = GenAiSystem.Of(new TargetOptions { Name = "t", Protocol = protocol, BaseUrl = baseUrl });

        Assert.Equal((operation, provider), (system.OperationName, system.ProviderName));
    }

    [Fact]
    public void Every_protocol_has_a_provider_name_the_conventions_list()
    {
        // gen_ai.provider.name's well-known values (registry.yaml).
        string[] wellKnown = ["anthropic", "aws.bedrock", "azure.ai.inference", "azure.ai.openai", "cohere", "deepseek", "gcp.gemini",
            "gcp.gen_ai", "gcp.vertex_ai", "groq", "ibm.watsonx.ai", "mistral_ai", "openai", "perplexity", "x_ai"];

        Assert.All(Enum.GetValues<ProtocolKind>(), protocol =>
            Assert.Contains(GenAiSystem.Of(new TargetOptions { Name = "t", Protocol = protocol, BaseUrl = "https://gateway.example.com" }).ProviderName, wellKnown));
    }

    [Fact]
    public void GenAI_instruments_are_sized_for_each_target_and_model_only_when_configured()
    {
        var options = new ExporterOptions
        {
            Targets =
            [
                new TargetOptions
                {
                    Name = "t", Protocol = ProtocolKind.Openai, BaseUrl = "https://api.openai.com", Models = ["gpt-4.1", "gpt-4.1-mini"],
                    Checks = new() { [CheckKinds.Chat.Name] = new(), [CheckKinds.Stream.Name] = new(), [CheckKinds.Models.Name] = new() },
                },
            ],
        };
        var off = new CardinalityLimits { SizedFor = FleetSize.Of(options) };
        options.Metrics.GenAi = true;
        var on = new CardinalityLimits { SizedFor = FleetSize.Of(options) };

        Assert.All(ClientInstruments, c => Assert.Equal(0, off.Predicted(c.Name)));
        // Chat and stream probes of a model share its series: two models, each a success and one way of failing, two token types.
        Assert.Equal(4, on.Predicted("gen_ai.client.operation.duration"));
        Assert.Equal(4, on.Predicted("gen_ai.client.token.usage"));
        Assert.Equal(2, on.Predicted("gen_ai.client.operation.time_to_first_chunk"));
        Assert.Equal(2, on.Predicted("gen_ai.client.operation.time_per_output_chunk"));
    }

    private static ProbeRig Rig(SimulatorHost simulator, string target, ProtocolKind protocol, string model, string? failingModel = null, string? chatExpects = null)
    {
        var timing = new CheckOptions { Interval = TimeSpan.FromMinutes(1), Timeout = TimeSpan.FromSeconds(10) };
        return new ProbeRig(new ExporterOptions
        {
            Metrics = new MetricsOptions { GenAi = true },
            Targets =
            [
                new TargetOptions
                {
                    Name = target, Protocol = protocol, BaseUrl = simulator.TargetUrl(target).ToString(),
                    Models = failingModel is null ? [model] : [model, failingModel], Credential = new CredentialOptions { Env = KeyVariable },
                    Checks = new()
                    {
                        [CheckKinds.Chat.Name] = new CheckOptions { Interval = timing.Interval, Timeout = timing.Timeout, Expect = chatExpects },
                        [CheckKinds.Stream.Name] = timing,
                    },
                },
            ],
        }, recordsScheduledProbes: true);
    }

    // The simulator wants a key, any key.
    private const string KeyVariable = "GENAI_CONVENTIONS_TEST_KEY";

    private static EnvironmentScope Key() => new([new(KeyVariable, "sk-genai-conventions-test")]);

    /// <summary>The GenAI measurements of the probes that went to one port (other tests record on meters of the same name).</summary>
    private sealed class GenAiMeasurements(int port) : ExporterMeterListener(ExporterMetrics.MeterName)
    {
        private readonly ConcurrentQueue<(Instrument Instrument, IReadOnlyDictionary<string, object?> Tags)> _measured = new();

        public IReadOnlyList<(Instrument Instrument, IReadOnlyDictionary<string, object?> Tags)> All => [.. _measured];

        /// <summary>The measurements so far, forgotten here.</summary>
        public IReadOnlyList<(Instrument Instrument, IReadOnlyDictionary<string, object?> Tags)> Take()
        {
            var taken = new List<(Instrument, IReadOnlyDictionary<string, object?>)>();
            while (_measured.TryDequeue(out var measurement)) taken.Add(measurement);
            return taken;
        }

        protected override void OnMeasurement(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (!instrument.Name.StartsWith("gen_ai.", StringComparison.Ordinal)) return;
            var copy = tags.ToArray().ToDictionary(t => t.Key, t => t.Value);
            if (copy.GetValueOrDefault("server.port") is int measuredPort && measuredPort == port) _measured.Enqueue((instrument, copy));
        }
    }
}
