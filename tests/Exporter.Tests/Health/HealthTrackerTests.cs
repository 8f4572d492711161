using RelayExporter.Configuration;
using RelayExporter.Health;
using RelayExporter.Probing;
using RelayExporter.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using RelayExporter.Outcomes;

namespace RelayExporter.Tests.Health;

public class HealthTrackerTests
{
    private static readonly HealthOptions Options = new() { FailuresToUnhealthy = 2, SuccessesToRecover = 2, DegradedLatency = TimeSpan.FromSeconds(3) };
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _time = new(TestClock.Start);

    [Fact]
    public void States_follow_the_hysteresis()
    {
        var tracker = new HealthTracker(TimeSpan.FromMinutes(1));
        var states = new List<HealthState> { tracker.StateAt(_time.GetUtcNow()) };
        foreach (var succeeded in new[] { true, false, false, true, true, false, true })
        {
            tracker.Observe(succeeded, Fast, _time.GetUtcNow(), Options);
            states.Add(tracker.StateAt(_time.GetUtcNow()));
        }

        Assert.Equal(
            [HealthState.Unknown, HealthState.Healthy, HealthState.Degraded, HealthState.Unhealthy, HealthState.Unhealthy, HealthState.Healthy, HealthState.Degraded, HealthState.Healthy],
            states);
    }

    [Fact]
    public void A_slow_success_is_degraded_and_counts_failures_and_successes_in_a_row()
    {
        var tracker = new HealthTracker(TimeSpan.FromMinutes(1));

        tracker.Observe(true, TimeSpan.FromSeconds(4), _time.GetUtcNow(), Options);
        Assert.Equal(HealthState.Degraded, tracker.StateAt(_time.GetUtcNow()));

        tracker.Observe(false, Fast, _time.GetUtcNow(), Options);
        tracker.Observe(false, Fast, _time.GetUtcNow(), Options);
        tracker.Observe(false, Fast, _time.GetUtcNow(), Options);
        Assert.Equal((3, 0), (tracker.ConsecutiveFailures, tracker.ConsecutiveSuccesses));
    }

    [Fact]
    public void Without_fresh_probes_the_state_becomes_unknown_instead_of_sticking()
    {
        var tracker = new HealthTracker(TimeSpan.FromSeconds(9));
        tracker.Observe(false, Fast, _time.GetUtcNow(), Options);
        tracker.Observe(false, Fast, _time.GetUtcNow(), Options);

        _time.Advance(TimeSpan.FromSeconds(8));
        Assert.Equal(HealthState.Unhealthy, tracker.StateAt(_time.GetUtcNow()));
        tracker.Touch(_time.GetUtcNow()); // a probe the open circuit held back keeps the state current
        _time.Advance(TimeSpan.FromSeconds(8));
        Assert.Equal(HealthState.Unhealthy, tracker.StateAt(_time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(HealthState.Unknown, tracker.StateAt(_time.GetUtcNow()));
    }

    [Fact]
    public void A_target_is_as_unhealthy_as_its_worst_check_whatever_the_other_check_says_in_between()
    {
        var options = new ExporterOptions
        {
            Targets = [new TargetOptions { Name = "relay", Kind = TargetKind.Relay, Protocol = ProtocolKind.Openai, BaseUrl = "http://127.0.0.1:1" }],
        };
        var config = new RunningConfig("test.yml", options, _time);
        var board = new HealthBoard(config, _time, new RetryAfterGate(config, _time));
        var states = new List<HealthState>();
        for (var i = 0; i < 4; i++)
        {
            board.Observe(Result(CheckKinds.Health.Name, ProbeOutcome.Success, "status \"ok\""));
            board.Observe(Result(CheckKinds.Models.Name, ProbeOutcome.AuthError, "HTTP 401: invalid key"));
            states.Add(board.ForTarget("relay")!.StateAt(_time.GetUtcNow()));
            _time.Advance(TimeSpan.FromSeconds(3));
        }

        Assert.Equal([HealthState.Degraded, HealthState.Unhealthy, HealthState.Unhealthy, HealthState.Unhealthy], states);
        var verdict = board.ForTarget("relay")!.VerdictAt(_time.GetUtcNow());
        Assert.Equal((CheckKinds.Models.Name, "models: credential rejected: HTTP 401: invalid key", 4), (verdict.Check, verdict.Reason, verdict.ConsecutiveFailures));
    }

    [Fact]
    public void A_listed_model_whose_every_completion_fails_is_unhealthy_however_often_the_models_check_lists_it()
    {
        var options = new ExporterOptions
        {
            Targets = [new TargetOptions { Name = "relay", Kind = TargetKind.Relay, Protocol = ProtocolKind.Openai, BaseUrl = "http://127.0.0.1:1", Models = ["gpt-4.1"] }],
        };
        var config = new RunningConfig("test.yml", options, _time);
        var board = new HealthBoard(config, _time, new RetryAfterGate(config, _time));
        var states = new List<HealthState>();
        for (var i = 0; i < 4; i++)
        {
            board.Observe(Result(CheckKinds.Models.Name, ProbeOutcome.Success, "3 models listed") with { ModelsListed = [new ModelListing("gpt-4.1", true)] });
            board.Observe(Result(CheckKinds.Chat.Name, ProbeOutcome.ServerError, "HTTP 500: upstream failed") with { Key = new ProbeKey("relay", CheckKinds.Chat.Name, "gpt-4.1") });
            board.Observe(Result(CheckKinds.Models.Name, ProbeOutcome.Success, "3 models listed") with { ModelsListed = [new ModelListing("gpt-4.1", true)] });
            states.Add(board.ForModel("relay", "gpt-4.1")!.StateAt(_time.GetUtcNow()));
            _time.Advance(TimeSpan.FromSeconds(3));
        }

        Assert.Equal([HealthState.Degraded, HealthState.Unhealthy, HealthState.Unhealthy, HealthState.Unhealthy], states);
        var verdict = board.ForModel("relay", "gpt-4.1")!.VerdictAt(_time.GetUtcNow());
        Assert.Equal((CheckKinds.Chat.Name, 4), (verdict.Check, verdict.ConsecutiveFailures));
        Assert.Equal(HealthState.Healthy, board.ForTarget("relay")!.StateAt(_time.GetUtcNow())); // the target itself answers
    }

    [Fact]
    public void A_models_list_without_a_configured_model_makes_that_model_unhealthy_not_the_target()
    {
        var options = new ExporterOptions
        {
            Targets = [new TargetOptions { Name = "relay", Kind = TargetKind.Relay, Protocol = ProtocolKind.Openai, BaseUrl = "http://127.0.0.1:1", Models = ["gpt-4.1", "o3"] }],
        };
        var config = new RunningConfig("test.yml", options, _time);
        var board = new HealthBoard(config, _time, new RetryAfterGate(config, _time));
        for (var i = 0; i < 3; i++)
        {
            board.Observe(Result(CheckKinds.Models.Name, ProbeOutcome.ModelMissing, "o3 is not listed") with
            {
                ModelsListed = [new ModelListing("gpt-4.1", true), new ModelListing("o3", false)],
            });
            _time.Advance(TimeSpan.FromSeconds(3));
        }

        var now = _time.GetUtcNow();
        Assert.Equal(HealthState.Healthy, board.ForTarget("relay")!.StateAt(now));
        Assert.Equal(HealthState.Healthy, board.ForModel("relay", "gpt-4.1")!.StateAt(now));
        Assert.Equal(HealthState.Unhealthy, board.ForModel("relay", "o3")!.StateAt(now));
    }

    private ProbeResult Result(string check, ProbeOutcome outcome, string reason) =>
        new() { Key = new ProbeKey("relay", check, null), Outcome = outcome, Reason = reason, StartedAt = _time.GetUtcNow() };
}
