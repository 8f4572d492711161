using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Health;
using RelayExporter.Probing;
using RelayExporter.Routing;
using RelayExporter.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using RelayExporter.Outcomes;

namespace RelayExporter.Tests.Routing;

/// <summary>The routing answer from the exporter's own health, circuit and result stores, fed as probes feed them.</summary>
public sealed class RouteAdvisorTests
{
    private const string Model = "gpt-4.1";
    private readonly FakeTimeProvider _time = new(TestClock.Start);
    private readonly RunningConfig _config;
    private readonly ProbeResultStore _results;
    private readonly HealthBoard _health;
    private readonly RouteAdvisor _advisor;

    public RouteAdvisorTests()
    {
        TargetOptions Target(string name, List<string> models, params string[] checks) => new()
        {
            Name = name, Protocol = ProtocolKind.Openai, BaseUrl = $"http://{name}.example", Models = models,
            Checks = checks.ToDictionary(c => c, _ => new CheckOptions { Interval = TimeSpan.FromSeconds(10) }),
        };
        _config = new RunningConfig("test.yml", new ExporterOptions
        {
            Targets =
            [
                // Serves gpt-4.1 (listed, answers chat) but its models list lacks another configured model.
                Target("serving", [Model, "o3"], CheckKinds.Models.Name, CheckKinds.Chat.Name),
                // Its own checks pass; gpt-4.1 has never been probed or listed there.
                Target("unprobed", [Model], CheckKinds.Health.Name, CheckKinds.Chat.Name),
                Target("down", [Model], CheckKinds.Models.Name),
            ],
        }, _time);
        _results = new ProbeResultStore();
        _health = new HealthBoard(_config, _time, new RetryAfterGate(_config, _time));
        _advisor = new RouteAdvisor(_config, _health, new CircuitBoard(_config, _time), _results, _time);
    }

    [Fact]
    public void A_target_that_serves_the_model_ranks_before_one_never_probed_for_it()
    {
        for (var i = 0; i < 3; i++)
        {
            Observe("serving", CheckKinds.Models.Name, null, ProbeOutcome.ModelMissing, 0.05, listed: [new(Model, true), new("o3", false)]);
            Observe("serving", CheckKinds.Chat.Name, Model, ProbeOutcome.Success, 0.32);
            Observe("unprobed", CheckKinds.Health.Name, null, ProbeOutcome.Success, 0.01);
            Observe("down", CheckKinds.Models.Name, null, ProbeOutcome.ConnectError, 0.001);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var advice = _advisor.Advise(Model)!;

        Assert.Equal(["serving", "unprobed"], advice.Targets.Select(t => t.Target));
        Assert.Equal(("healthy", "healthy, p50 320 ms"), (advice.Targets[0].State, advice.Targets[0].Reason));
        Assert.Equal(("unknown", "unknown: not probed yet"), (advice.Targets[1].State, advice.Targets[1].Reason));
        var down = Assert.Single(advice.Excluded);
        Assert.Equal(("down", "unhealthy, last models probe connect_error"), (down.Target, down.Reason));
    }

    [Fact]
    public async Task An_open_circuit_is_excluded_with_its_reason()
    {
        var circuits = new CircuitBoard(_config, _time);
        await circuits.For(CircuitKey.ForModel("serving", Model)).IsolateAsync();
        var advisor = new RouteAdvisor(_config, _health, circuits, _results, _time);

        var advice = advisor.Advise(Model)!;

        Assert.Contains(new RouteExclusion("serving", Model, $"circuit isolated for {Model}"), advice.Excluded);
        Assert.Equal(["down", "unprobed"], advice.Targets.Select(t => t.Target).Order());
        Assert.All(advice.Targets, t => Assert.Equal("unknown: not probed yet", t.Reason));
    }

    private void Observe(string target, string check, string? model, ProbeOutcome outcome, double seconds, ModelListing[]? listed = null)
    {
        var result = new ProbeResult
        {
            Key = new ProbeKey(target, check, model), Outcome = outcome, Reason = outcome.Label(), StartedAt = _time.GetUtcNow(),
            Duration = TimeSpan.FromSeconds(seconds), ModelsListed = listed,
        };
        _results.Add(result);
        _health.Observe(result);
    }
}
