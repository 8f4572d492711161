using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Health;
using RelayExporter.Probing;
using RelayExporter.Probing.Http;
using RelayExporter.Spending;
using RelayExporter.Status;
using RelayExporter.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using RelayExporter.Outcomes;

namespace RelayExporter.Tests.Status;

/// <summary>
/// The status report from what the result store keeps: the last 50 probes of each target as compact summaries, and
/// the latest full result of each series for the health document and the models list.
/// </summary>
public sealed class TargetStatusReportTests
{
    private readonly FakeTimeProvider _time = new(TestClock.Start);
    private readonly TargetOptions _target = new()
    {
        Name = "relay", Kind = TargetKind.Relay, Protocol = ProtocolKind.Openai, BaseUrl = "http://127.0.0.1:1", Models = ["gpt-4.1", "claude-sonnet-4.5"],
    };
    private readonly ProbeResultStore _store;
    private readonly TargetStatusReport _report;

    public TargetStatusReportTests()
    {
        var config = new RunningConfig("test.yml", new ExporterOptions { Targets = [_target] }, _time);
        _store = new ProbeResultStore();
        _report = new TargetStatusReport(config, _store, new HealthBoard(config, _time, new RetryAfterGate(config, _time)), new CircuitBoard(config, _time), new DailySpend(config, _time), _time);
    }

    [Fact]
    public void After_more_than_50_probes_the_last_50_are_kept_and_the_newest_20_shown()
    {
        var added = new List<ProbeResult>();
        for (var i = 0; i < 70; i++)
            added.Add(Add(i % 2 == 0 ? CheckKinds.Health.Name : CheckKinds.Models.Name, null, i % 7 == 0 ? ProbeOutcome.Timeout : ProbeOutcome.Success,
                $"probe {i}", TimeSpan.FromTicks(1_000_000 + 12_345 * i)));

        var history = _store.History("relay");
        Assert.Equal(ProbeResultStore.HistoryLength, history.Count);
        Assert.Equal(added.TakeLast(50).Select(Summary), history.Select(p => (p.StartedAt, p.Check, p.Model, p.Outcome, p.Duration, p.Reason)));

        var status = _report.Target(_target, _time.GetUtcNow());
        Assert.Equal(added.TakeLast(20).Reverse().Select(r => (r.StartedAt, r.Key.Check, r.Outcome.Label(), r.Duration.TotalSeconds, r.Reason)),
            status.RecentProbes.Select(p => (p.At, p.Check, p.Outcome, p.DurationSeconds, p.Reason)));
        Assert.Equal("probe 69", status.LastReason);
        Assert.Equal(added[^1].StartedAt, status.LastProbeAt);
        var successes = added.TakeLast(50).Where(r => r.Succeeded).ToList();
        Assert.Equal(successes.Count, status.Latency!.Samples);
        Assert.Equal(LatencySummary.Of(successes.Select(r => r.Duration)), status.Latency);
    }

    [Fact]
    public void A_long_reason_is_shortened_in_the_history_and_kept_whole_in_the_latest_result()
    {
        var reason = "HTTP 503: " + new string('x', 1000);

        var added = Add(CheckKinds.Models.Name, null, ProbeOutcome.ServerError, reason);

        var kept = Assert.Single(_store.History("relay")).Reason;
        Assert.Equal(ProbeHistory.MaxReasonLength, kept.Length);
        Assert.Equal(reason[..(ProbeHistory.MaxReasonLength - 1)] + "…", kept);
        Assert.Equal(reason, _store.LatestOf(added.Key)!.Reason);
    }

    [Fact]
    public void Every_outcome_and_long_durations_are_kept_exactly()
    {
        var added = Enum.GetValues<ProbeOutcome>()
            .Select((outcome, i) => Add(CheckKinds.Chat.Name, i % 2 == 0 ? "gpt-4.1" : "claude-sonnet-4.5", outcome, outcome.Label(), TimeSpan.FromTicks(1 + 987_654_321L * i)))
            .ToList();

        Assert.Equal(added.Select(Summary), _store.History("relay").Select(p => (p.StartedAt, p.Check, p.Model, p.Outcome, p.Duration, p.Reason)));
    }

    [Fact]
    public void The_health_document_and_models_listed_come_from_their_own_series_when_newer_probes_are_of_other_checks()
    {
        _store.Add(Result(CheckKinds.Health.Name, null, ProbeOutcome.Success, "status ok, 1 providers") with
        {
            Health = new RelayHealthDocument("ok", [new UpstreamStatus("openai", true, 0.123)], 3, 0, [], 0),
        });
        _store.Add(Result(CheckKinds.Models.Name, null, ProbeOutcome.ModelMissing, "not listed: claude-sonnet-4.5") with
        {
            ModelsListed = [new("gpt-4.1", true), new("claude-sonnet-4.5", false)],
        });
        // Enough chat probes to push both out of the 50 recent probes.
        for (var i = 0; i < 60; i++) Add(CheckKinds.Chat.Name, "gpt-4.1", ProbeOutcome.Success, "answered \"OK\" (finish reason stop)");

        var status = _report.Target(_target, _time.GetUtcNow());

        Assert.DoesNotContain(_store.History("relay"), p => p.Model is null);
        Assert.Equal([new UpstreamReport("openai", true, 0.123)], status.Upstreams);
        Assert.Equal([true, false], status.Models.Select(m => m.Listed));
        Assert.Equal("success", status.Models[0].LastOutcome);
        Assert.Equal(50, status.Models[0].Latency!.Samples);
        Assert.Null(status.Models[1].LastOutcome);
    }

    [Fact]
    public void The_latest_probe_of_a_series_decides_what_is_shown_even_when_it_found_nothing()
    {
        _store.Add(Result(CheckKinds.Health.Name, null, ProbeOutcome.Success, "status ok") with
        {
            Health = new RelayHealthDocument("ok", [new UpstreamStatus("openai", true, 0.1)], null, null, [], 0),
        });
        _store.Add(Result(CheckKinds.Models.Name, null, ProbeOutcome.Success, "listed") with { ModelsListed = [new("gpt-4.1", true)] });
        Add(CheckKinds.Health.Name, null, ProbeOutcome.ConnectError, "Connection refused");
        Add(CheckKinds.Models.Name, null, ProbeOutcome.ConnectError, "Connection refused");

        var status = _report.Target(_target, _time.GetUtcNow());

        // A failed probe has no document or list to report.
        Assert.Empty(status.Upstreams);
        Assert.All(status.Models, m => Assert.Null(m.Listed));
        Assert.Equal("connect_error", status.LastOutcome);
    }

    [Fact]
    public void The_last_success_and_the_last_failure_outlive_the_recent_probes_and_a_probe_not_sent_is_neither()
    {
        var success = Add(CheckKinds.Health.Name, null, ProbeOutcome.Success, "status ok");
        var failure = Add(CheckKinds.Models.Name, null, ProbeOutcome.AuthError, "HTTP 401: " + new string('k', 400));
        // The circuit opened: 60 probes not sent push both out of the 50 recent probes.
        for (var i = 0; i < 60; i++) Add(i % 2 == 0 ? CheckKinds.Health.Name : CheckKinds.Models.Name, null, ProbeOutcome.CircuitOpen, "not sent: api circuit open");

        var status = _report.Target(_target, _time.GetUtcNow());

        Assert.All(_store.History("relay"), p => Assert.Equal(ProbeOutcome.CircuitOpen, p.Outcome));
        Assert.Equal("circuit_open", status.LastOutcome);
        Assert.Null(status.Latency);
        Assert.Equal(success.StartedAt, status.LastSuccessAt);
        Assert.Equal(("auth_error", "models", failure.StartedAt, failure.Reason), (status.LastFailure!.Outcome, status.LastFailure.Check, status.LastFailure.At, status.LastFailure.Reason));
        var health = Assert.Single(status.Checks, c => c.Check == CheckKinds.Health.Name);
        var models = Assert.Single(status.Checks, c => c.Check == CheckKinds.Models.Name);
        Assert.Equal((success.StartedAt, (ProbeSummary?)null), (health.LastSuccessAt, health.LastFailure));
        Assert.Equal(((DateTimeOffset?)null, "auth_error", "circuit_open"), (models.LastSuccessAt, models.LastFailure?.Outcome, models.LastOutcome));
        Assert.All(status.Models, m => Assert.Equal(((DateTimeOffset?)null, (ProbeSummary?)null), (m.LastSuccessAt, m.LastFailure)));
    }

    [Fact]
    public void A_models_list_without_a_configured_model_is_a_success_of_the_target_and_the_models_check_of_that_model()
    {
        var listing = Result(CheckKinds.Models.Name, null, ProbeOutcome.ModelMissing, "not listed: claude-sonnet-4.5") with
        {
            ModelsListed = [new("gpt-4.1", true), new("claude-sonnet-4.5", false)],
        };
        _store.Add(listing);

        var status = _report.Target(_target, _time.GetUtcNow());

        Assert.Equal(listing.StartedAt, status.LastSuccessAt);
        Assert.Null(status.LastFailure);
        Assert.Equal([("models", "success"), ("models", "model_missing")], status.Models.Select(m => (m.Checks.Single().Check, m.Checks.Single().LastOutcome!)));
    }

    [Fact]
    public void The_store_keeps_the_latest_result_without_its_transcript_and_equal_reasons_once()
    {
        var first = Result(CheckKinds.Models.Name, null, ProbeOutcome.Success, new string("2 models listed".AsSpan())) with
        {
            Trace = new ProbeTrace { StatusCode = 200 },
            Transcript = new ProbeTranscript { BodyExcerpt = "{\"data\":[]}" },
        };
        _store.Add(first);
        var second = first with { StartedAt = first.StartedAt.AddSeconds(30), Reason = new string("2 models listed".AsSpan()) };
        Assert.NotSame(first.Reason, second.Reason);
        _store.Add(second);

        var latest = _store.LatestOf(first.Key)!;
        Assert.Null(latest.Transcript);
        Assert.Equal(200, latest.StatusCode);
        Assert.Equal(second.StartedAt, latest.StartedAt);
        Assert.Same(first.Reason, latest.Reason);
        Assert.All(_store.History("relay"), p => Assert.Same(first.Reason, p.Reason));
        Assert.Null(_store.LatestOf(new ProbeKey("relay", CheckKinds.Health.Name, null)));
        Assert.Empty(_store.History("other"));
    }

    private ProbeResult Add(string check, string? model, ProbeOutcome outcome, string reason, TimeSpan? duration = null)
    {
        var result = Result(check, model, outcome, reason, duration);
        _store.Add(result);
        return result;
    }

    private ProbeResult Result(string check, string? model, ProbeOutcome outcome, string reason, TimeSpan? duration = null)
    {
        _time.Advance(TimeSpan.FromMilliseconds(1500));
        return new ProbeResult
        {
            Key = new ProbeKey("relay", check, model), Outcome = outcome, Reason = reason, StartedAt = _time.GetUtcNow(),
            Duration = duration ?? TimeSpan.FromMilliseconds(8),
        };
    }

    private static (DateTimeOffset, string, string?, ProbeOutcome, TimeSpan, string) Summary(ProbeResult r) =>
        (r.StartedAt, r.Key.Check, r.Key.Model, r.Outcome, r.Duration, r.Reason);
}
