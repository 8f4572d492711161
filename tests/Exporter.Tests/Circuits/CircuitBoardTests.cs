using System.Runtime.CompilerServices;
using Polly.CircuitBreaker;
using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using RelayExporter.Outcomes;

namespace RelayExporter.Tests.Circuits;

/// <summary>The Polly circuit in front of each target × model, driven by a clock the test moves.</summary>
public class CircuitBoardTests
{
    private readonly FakeTimeProvider _time = new(TestClock.Start);
    private readonly CircuitBoard _board;
    private readonly List<CircuitState> _transitions = [];
    private readonly ProbeJob _job;
    private int _sent;

    public CircuitBoardTests()
    {
        var target = new TargetOptions { Name = "relay", Protocol = ProtocolKind.Openai, BaseUrl = "http://127.0.0.1:1", Models = ["gpt-4.1"] };
        var options = new ExporterOptions
        {
            Targets = [target],
            Circuit = new CircuitOptions
            {
                FailureRatio = 0.6, MinimumThroughput = 2, SamplingDuration = TimeSpan.FromSeconds(5),
                BreakDuration = TimeSpan.FromSeconds(15), BreakDurationGrowth = 2, MaxBreakDuration = TimeSpan.FromSeconds(40),
            },
        };
        _board = new CircuitBoard(new RunningConfig("test.yml", options, _time), _time);
        _board.Transitioned += (_, state) => _transitions.Add(state);
        _job = new ProbeJob(target, CheckKinds.Chat.Name, "gpt-4.1", new CheckOptions { Interval = TimeSpan.FromSeconds(3), Timeout = TimeSpan.FromSeconds(1) });
    }

    [Fact]
    public async Task Failures_open_the_circuit_and_probes_are_then_not_sent()
    {
        Assert.Equal(ProbeOutcome.Success, await ProbeAsync(true));
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(ProbeOutcome.ServerError, await ProbeAsync(false));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ProbeOutcome.ServerError, await ProbeAsync(false));

        var held = await ProbeAsync(true);

        Assert.Equal(ProbeOutcome.CircuitOpen, held);
        Assert.Equal(3, _sent);
        Assert.Equal(CircuitState.Open, _board.Find(CircuitKey.ForModel("relay", "gpt-4.1"))!.State);
        Assert.Equal([CircuitState.Open], _transitions);
    }

    [Fact]
    public async Task After_the_break_one_trial_is_sent_and_a_failed_trial_doubles_the_break()
    {
        await OpenAsync();

        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(ProbeOutcome.ServerError, await ProbeAsync(false)); // the half-open trial, sent and failed
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(ProbeOutcome.CircuitOpen, await ProbeAsync(true));   // still within the doubled 30 s break
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ProbeOutcome.Success, await ProbeAsync(true));       // the next trial succeeds and closes it

        Assert.Equal([CircuitState.Open, CircuitState.HalfOpen, CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed], _transitions);
    }

    [Fact]
    public async Task An_operator_can_isolate_and_close_a_circuit()
    {
        var circuit = _board.For(CircuitKey.ForModel("relay", "gpt-4.1"));

        await circuit.IsolateAsync();
        var isolated = await _board.ExecuteAsync(_job, _ => Probe(true), CancellationToken.None);
        await circuit.CloseAsync();
        var closed = await ProbeAsync(true);

        Assert.Equal(ProbeOutcome.CircuitOpen, isolated.Outcome);
        Assert.Contains("isolated", isolated.Reason);
        Assert.Equal(ProbeOutcome.Success, closed);
        Assert.Equal([CircuitState.Isolated, CircuitState.Closed], _transitions);
    }

    [Fact]
    public async Task Closing_an_open_circuit_by_hand_sends_probes_again_and_counts_failures_afresh()
    {
        await OpenAsync();
        var circuit = _board.Find(CircuitKey.ForModel("relay", "gpt-4.1"))!;

        await circuit.CloseAsync();

        Assert.Equal(CircuitState.Closed, circuit.State);
        Assert.Null(circuit.OpenUntil);
        Assert.Equal(ProbeOutcome.ServerError, await ProbeAsync(false)); // sent; one failure is below the minimum throughput of 2
        Assert.Equal(CircuitState.Closed, circuit.State);
        Assert.Equal(ProbeOutcome.ServerError, await ProbeAsync(false));
        Assert.Equal(CircuitState.Open, circuit.State);
        Assert.Equal([CircuitState.Open, CircuitState.Closed, CircuitState.Open], _transitions);
    }

    [Fact]
    public async Task An_open_circuit_can_be_isolated_and_closing_a_closed_circuit_changes_nothing()
    {
        var circuit = _board.For(CircuitKey.ForModel("relay", "gpt-4.1"));
        await circuit.CloseAsync();
        Assert.Empty(_transitions);

        await OpenAsync();
        await circuit.IsolateAsync();
        _time.Advance(TimeSpan.FromSeconds(60)); // no half-open trial for an isolated circuit
        Assert.Equal(ProbeOutcome.CircuitOpen, await ProbeAsync(true));
        await circuit.CloseAsync();
        await circuit.CloseAsync();

        Assert.Equal(ProbeOutcome.Success, await ProbeAsync(true));
        Assert.Equal([CircuitState.Open, CircuitState.Isolated, CircuitState.Closed], _transitions);
    }

    [Fact]
    public async Task A_circuit_keeps_no_result_it_counted()
    {
        var failed = await FailedResultAsync();

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.Equal(ProbeOutcome.ServerError, await ProbeAsync(false)); // the circuit did count the first failure: this one opens it
        Assert.Equal(CircuitState.Open, _board.Find(CircuitKey.ForModel("relay", "gpt-4.1"))!.State);
        Assert.False(failed.IsAlive, "the circuit kept the failed result (Polly keeps the last failure it counted)");
    }

    [Fact]
    public async Task A_circuit_gets_its_breaker_with_its_first_failure_and_loses_it_when_closed_by_hand()
    {
        var key = CircuitKey.ForModel("relay", "gpt-4.1");
        await ProbeAsync(true);
        _time.Advance(TimeSpan.FromSeconds(30));
        await ProbeAsync(true);
        Assert.False(_board.Find(key)!.HasBreaker, "a circuit that only saw successes holds a Polly breaker");

        _time.Advance(TimeSpan.FromSeconds(30));
        await ProbeAsync(false);
        Assert.True(_board.Find(key)!.HasBreaker);

        await OpenAsync();
        await _board.Find(key)!.CloseAsync();
        Assert.False(_board.Find(key)!.HasBreaker);
        Assert.Equal(CircuitState.Closed, _board.Find(key)!.State);
    }

    [Fact]
    public async Task First_failures_of_probes_in_flight_together_are_all_counted()
    {
        var release = new TaskCompletionSource();
        Task<ProbeResult> FailLater(CancellationToken _) => release.Task.ContinueWith(_ => Probe(false)).Unwrap();

        var first = _board.ExecuteAsync(_job, FailLater, CancellationToken.None);
        var second = _board.ExecuteAsync(_job, FailLater, CancellationToken.None);
        release.SetResult();
        await Task.WhenAll(first, second);

        Assert.Equal(CircuitState.Open, _board.Find(CircuitKey.ForModel("relay", "gpt-4.1"))!.State);
        Assert.Equal([CircuitState.Open], _transitions);
    }

    [Fact]
    public async Task A_circuits_first_failure_is_weighed_against_the_successes_before_it()
    {
        // Within one 5 s window: success, failure, success, failure is 2 of 4 (0.5), below the 0.6 ratio — as it would be
        // for a breaker that had been there all along, though the circuit had none before its first failure.
        await ProbeAsync(true);
        _time.Advance(TimeSpan.FromSeconds(1));
        await ProbeAsync(false);
        _time.Advance(TimeSpan.FromSeconds(1));
        await ProbeAsync(true);
        _time.Advance(TimeSpan.FromSeconds(1));
        await ProbeAsync(false);
        Assert.Equal(CircuitState.Closed, _board.Find(CircuitKey.ForModel("relay", "gpt-4.1"))!.State);

        _time.Advance(TimeSpan.FromSeconds(1));
        await ProbeAsync(false); // 3 of 5

        Assert.Equal(CircuitState.Open, _board.Find(CircuitKey.ForModel("relay", "gpt-4.1"))!.State);
    }

    [Fact]
    public async Task Successes_before_a_circuits_first_failure_leave_its_window_when_they_would_have()
    {
        await ProbeAsync(true);                          // t = 0
        _time.Advance(TimeSpan.FromSeconds(1));
        await ProbeAsync(true);                          // t = 1
        _time.Advance(TimeSpan.FromSeconds(3.5));
        await ProbeAsync(false);                         // t = 4.5: 1 of 3
        Assert.Equal(CircuitState.Closed, _board.Find(CircuitKey.ForModel("relay", "gpt-4.1"))!.State);

        _time.Advance(TimeSpan.FromSeconds(0.7));
        await ProbeAsync(false);                         // t = 5.2: the success at 0 has left the 5 s window: 2 of 3

        Assert.Equal(CircuitState.Open, _board.Find(CircuitKey.ForModel("relay", "gpt-4.1"))!.State);
    }

    [Fact]
    public async Task A_closed_circuit_drops_its_breaker_once_its_failures_have_left_the_window()
    {
        var key = CircuitKey.ForModel("relay", "gpt-4.1");
        await ProbeAsync(false);                         // t = 0
        _time.Advance(TimeSpan.FromSeconds(1));
        await ProbeAsync(true);
        Assert.True(_board.Find(key)!.HasBreaker, "dropped while a failure was still in its window");

        _time.Advance(TimeSpan.FromSeconds(4.5));
        await ProbeAsync(true);                          // t = 5.5

        Assert.False(_board.Find(key)!.HasBreaker);
    }

    [Fact]
    public async Task Successes_a_dropped_breaker_counted_are_given_to_the_next_one()
    {
        await ProbeAsync(false);                         // t = 0
        _time.Advance(TimeSpan.FromSeconds(5.5));
        await ProbeAsync(true);                          // counted by the breaker, which is then dropped
        _time.Advance(TimeSpan.FromSeconds(0.5));
        await ProbeAsync(true);
        _time.Advance(TimeSpan.FromSeconds(1));
        await ProbeAsync(false);
        _time.Advance(TimeSpan.FromSeconds(0.5));
        await ProbeAsync(false);                         // 2 of 4: below the 0.6 ratio

        Assert.Equal(CircuitState.Closed, _board.Find(CircuitKey.ForModel("relay", "gpt-4.1"))!.State);
    }

    [Fact]
    public async Task A_failure_in_flight_when_its_breaker_is_dropped_is_still_counted()
    {
        await ProbeAsync(false);                         // t = 0: the circuit gets a breaker
        _time.Advance(TimeSpan.FromSeconds(5.5));
        var release = new TaskCompletionSource();
        var inFlight = _board.ExecuteAsync(_job, _ => release.Task.ContinueWith(_ => Probe(false)).Unwrap(), CancellationToken.None);
        await ProbeAsync(true);                          // drops the breaker the held probe runs under
        Assert.False(_board.Find(CircuitKey.ForModel("relay", "gpt-4.1"))!.HasBreaker);

        release.SetResult();
        await inFlight;                                  // its failure: 1 of 2
        await ProbeAsync(false);                         // 2 of 3

        Assert.Equal(CircuitState.Open, _board.Find(CircuitKey.ForModel("relay", "gpt-4.1"))!.State);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private async Task<WeakReference> FailedResultAsync() => new(await _board.ExecuteAsync(_job, _ => Probe(false), CancellationToken.None));

    [Theory]
    [InlineData(0, 15)]
    [InlineData(1, 30)]
    [InlineData(2, 40)]
    public void Break_duration_grows_on_repeated_opens_up_to_the_maximum(int failedTrials, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), ProbeCircuit.BreakDuration(
            new CircuitOptions { BreakDuration = TimeSpan.FromSeconds(15), BreakDurationGrowth = 2, MaxBreakDuration = TimeSpan.FromSeconds(40) }, failedTrials));

    [Fact]
    public async Task A_circuit_the_board_forgot_reports_no_transition_when_a_probe_still_holding_it_ends()
    {
        Assert.Equal(ProbeOutcome.Success, await ProbeAsync(true));
        var circuit = _board.Find(CircuitKey.ForModel("relay", "gpt-4.1"))!;
        // A reload removes the target while two of its probes are in flight, through the circuit they took before.
        _board.RetainOnly(new ExporterOptions { Targets = [new TargetOptions { Name = "other", Models = ["gpt-4.1"] }] });

        await circuit.ExecuteAsync(_ => Probe(false), CancellationToken.None);
        await circuit.ExecuteAsync(_ => Probe(false), CancellationToken.None);

        Assert.Equal(CircuitState.Open, circuit.State);
        Assert.Null(_board.Find(circuit.Key));
        Assert.Empty(_transitions);
    }

    [Fact]
    public async Task A_probe_of_a_target_a_reload_removed_that_starts_after_it_goes_through_a_circuit_the_board_does_not_keep()
    {
        _board.RetainOnly(new ExporterOptions { Targets = [new TargetOptions { Name = "other", Models = ["gpt-4.1"] }] });

        // The removed target's chat probe was still starting: it reaches its circuit only now, and fails twice.
        Assert.Equal(ProbeOutcome.ServerError, await ProbeAsync(false));
        Assert.Equal(ProbeOutcome.ServerError, await ProbeAsync(false));

        Assert.Null(_board.Find(CircuitKey.ForModel("relay", "gpt-4.1")));
        Assert.DoesNotContain(_board.All, c => c.Key.Target == "relay");
        Assert.Empty(_transitions);
        // A configured key still gets its circuit on the board.
        Assert.Same(_board.For(CircuitKey.ForModel("other", "gpt-4.1")), _board.Find(CircuitKey.ForModel("other", "gpt-4.1")));
    }

    private async Task OpenAsync()
    {
        await ProbeAsync(false);
        await ProbeAsync(false);
        Assert.Equal(CircuitState.Open, _board.Find(CircuitKey.ForModel("relay", "gpt-4.1"))!.State);
    }

    [Fact]
    public async Task A_models_list_that_lacks_a_configured_model_keeps_the_api_circuit_closed()
    {
        var models = new ProbeJob(_job.Target, CheckKinds.Models.Name, null, _job.Settings);
        var outcomes = new List<ProbeOutcome>();
        for (var i = 0; i < 5; i++)
        {
            var result = await _board.ExecuteAsync(models, _ => Task.FromResult(new ProbeResult
            {
                Key = models.Key, Outcome = ProbeOutcome.ModelMissing, Reason = "gpt-4.1 is not listed", StartedAt = _time.GetUtcNow(),
                ModelsListed = [new ModelListing("gpt-4.1", false)],
            }), CancellationToken.None);
            outcomes.Add(result.Outcome);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        // The API answered with a list and took the credential: every probe is sent, to notice when the model is back.
        Assert.All(outcomes, outcome => Assert.Equal(ProbeOutcome.ModelMissing, outcome));
        Assert.Empty(_transitions);
    }

    private async Task<ProbeOutcome> ProbeAsync(bool succeed) => (await _board.ExecuteAsync(_job, _ => Probe(succeed), CancellationToken.None)).Outcome;

    private Task<ProbeResult> Probe(bool succeed)
    {
        _sent++;
        return Task.FromResult(new ProbeResult
        {
            Key = _job.Key, Outcome = succeed ? ProbeOutcome.Success : ProbeOutcome.ServerError, Reason = "test", StartedAt = _time.GetUtcNow(),
        });
    }
}
