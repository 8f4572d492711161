using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RelayExporter.Configuration;
using RelayExporter.Health;
using RelayExporter.Outcomes;
using RelayExporter.Probing;
using RelayExporter.Probing.Http;
using RelayExporter.Protocols;
using RelayExporter.Spending;
using RelayExporter.Telemetry;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Probing;

/// <summary>
/// Where results go, as the host wires it: every probe's spend; a scheduled probe's result to Retry-After, the store,
/// health and metrics, in that order; a probe its circuit held back counts as not sent everywhere; a series a reload
/// removed records nothing more. In the exporter
/// host's collection: its instruments (the meter's name is every host's) would show in a host test's series counts.
/// </summary>
[Collection(ExporterHostCollection.Name)]
public sealed class ProbeRecordingTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(TestClock.Start);
    private readonly string _target = $"rec-{Guid.NewGuid():N}"[..16];
    private readonly string _path;
    private readonly ServiceProvider _services;
    private readonly Measurements _measurements;

    public ProbeRecordingTests()
    {
        _path = Path.Combine(Path.GetTempPath(), $"{_target}.yml");
        File.WriteAllText(_path, $$"""
            targets:
              - name: {{_target}}
                protocol: openai
                base_url: http://127.0.0.1:9
                models: [m]
                checks:
                  models: { interval: 10s, timeout: 5s }
                  chat: { interval: 5m }
            prices:
              m: { input: 4, output: 0 }
            """);
        _services = ProbingServices.Build(_path, _time, new TestLoggerProvider(), new PaidAnswer());
        _measurements = new Measurements(_target);
    }

    private ProbeRecording Recording => _services.GetRequiredService<ProbeRecording>();
    private ProbeResultStore Store => _services.GetRequiredService<ProbeResultStore>();
    private HealthBoard Health => _services.GetRequiredService<HealthBoard>();
    private DailySpend Spend => _services.GetRequiredService<DailySpend>();
    private ProbeHandler Handler => _services.GetRequiredService<ProbeHandler>();
    private ProbeJob Job(string check) => ProbePlan.From(_services.GetRequiredService<RunningConfig>().Current).Single(j => j.Key.Check == check);

    [Fact]
    public void The_order_of_the_sinks_and_of_the_gates_is_the_one_the_host_writes()
    {
        Assert.Equal([typeof(DailySpend)], Recording.EveryProbe.Select(s => s.GetType()));
        Assert.Equal([typeof(RetryAfterGate), typeof(ProbeResultStore), typeof(HealthBoard), typeof(ExporterMetrics)], Recording.Scheduled.Select(s => s.GetType()));
        Assert.Equal([typeof(RetryAfterGate), typeof(HealthBoard), typeof(DailySpend)], _services.GetRequiredService<ProbeGates>().InOrder.Select(g => g.GetType()));
    }

    [Fact]
    public void A_target_that_asks_for_a_pause_is_degraded_in_the_metrics_by_the_very_probe_that_was_told_so()
    {
        Recording.RecordScheduledProbe(Result(Job(CheckKinds.Models.Name), ProbeOutcome.Success), Job(CheckKinds.Models.Name));
        Assert.Equal("healthy", _measurements.TargetState);

        // A model's probe told to wait: the pause is the whole target's. Retry-After records it before the metrics read
        // the target's state, so the gauge says degraded now, not at the next refresh.
        var chat = Job(CheckKinds.Chat.Name);
        Recording.RecordScheduledProbe(Result(chat, ProbeOutcome.RateLimited) with { Trace = AskedToWait(TimeSpan.FromSeconds(30)) }, chat);

        Assert.Equal("degraded", _measurements.TargetState);
        Assert.Equal(SkipReasons.RetryAfter, _services.GetRequiredService<ProbeGates>().SkipReason(Job(CheckKinds.Models.Name)));
    }

    [Fact]
    public async Task An_on_demand_probe_counts_its_spend_and_nothing_else_a_scheduled_one_records_everywhere()
    {
        var chat = Job(CheckKinds.Chat.Name);

        var onDemand = await Handler.ExecuteAsync(chat, transcribe: false, CancellationToken.None);

        Assert.True(onDemand.CostUsd > 0, "the stand-in answer reports tokens at a price");
        Assert.Equal(onDemand.CostUsd!.Value, Spend.SpentTodayUsd, 12);
        Assert.Null(Store.LatestOf(chat.Key));
        Assert.Empty(Store.History(_target));
        Assert.Null(Health.ForTarget(_target));
        Assert.Null(Health.ForModel(_target, "m"));
        Assert.Equal(0, _measurements.Count("relay_probes"));

        var scheduled = await Handler.RunAsync(chat, CancellationToken.None);

        Assert.Equal(onDemand.CostUsd.Value + scheduled.CostUsd!.Value, Spend.SpentTodayUsd, 12);
        Assert.Equal(ProbeOutcome.Success, Store.LatestOf(chat.Key)?.Outcome);
        Assert.Single(Store.History(_target));
        Assert.Equal(HealthState.Healthy, Health.ForModel(_target, "m")?.StateAt(_time.GetUtcNow()));
        Assert.Equal(1, _measurements.Count("relay_probes"));
    }

    [Fact]
    public void A_probe_its_circuit_held_back_is_neither_a_success_nor_a_failure_to_any_sink()
    {
        var models = Job(CheckKinds.Models.Name);
        Recording.RecordScheduledProbe(Result(models, ProbeOutcome.Success), models);
        var marks = Store.MarksOf(models.Key);
        var spent = Spend.SpentTodayUsd;

        _time.Advance(TimeSpan.FromSeconds(10));
        var held = Result(models, ProbeOutcome.CircuitOpen) with { Duration = TimeSpan.Zero };
        Recording.RecordProbe(held, models);
        Recording.RecordScheduledProbe(held, models);

        Assert.Equal(marks, Store.MarksOf(models.Key)); // neither a success nor a failure since
        var health = Health.ForTarget(_target)!;
        Assert.Equal(HealthState.Healthy, health.StateAt(_time.GetUtcNow()));
        Assert.Equal(0, health.ForCheck(CheckKinds.Models.Name)!.ConsecutiveFailures);
        Assert.Equal(1, _measurements.Count("relay_probe_duration")); // the success's only: no time taken
        Assert.Equal(1, _measurements.Count("relay_probe_http_status_code"));
        Assert.Equal(2, _measurements.Count("relay_probes")); // counted, by its outcome
        Assert.Null(_services.GetRequiredService<RetryAfterGate>().PausedFor(_target));
        Assert.Equal(spent, Spend.SpentTodayUsd);
    }

    [Fact]
    public void A_result_or_skip_of_a_series_a_reload_removed_reaches_no_sink_however_late_it_comes()
    {
        var models = Job(CheckKinds.Models.Name);
        var chat = Job(CheckKinds.Chat.Name);
        File.WriteAllText(_path, File.ReadAllText(_path).Replace("chat: { interval: 5m }", ""));
        Assert.Empty(_services.GetRequiredService<RunningConfig>().Reload());

        // The chat probe was in flight when the reload removed its series; the models series is still planned.
        Recording.RecordScheduledProbe(Result(chat, ProbeOutcome.Success), chat);
        Recording.RecordSkipped(chat.Key, SkipReasons.TargetDown);
        Recording.RecordScheduledProbe(Result(models, ProbeOutcome.Success), models);

        Assert.Null(Store.LatestOf(chat.Key));
        Assert.Equal([models.Key.Check], Store.History(_target).Select(p => p.Check));
        Assert.Null(Health.ForModel(_target, "m"));
        Assert.Equal(0, _measurements.Count("relay_probes_skipped"));
        Assert.Equal(1, _measurements.Count("relay_probes")); // the models probe's
    }

    [Fact]
    public void A_models_list_that_ends_after_a_reload_removed_a_model_records_the_listings_of_the_models_still_configured()
    {
        var models = Job(CheckKinds.Models.Name);
        File.WriteAllText(_path, File.ReadAllText(_path).Replace("models: [m]", "models: [m, gone]").Replace("chat: { interval: 5m }", ""));
        Assert.Empty(_services.GetRequiredService<RunningConfig>().Reload());
        var listedBoth = Result(models, ProbeOutcome.Success) with { ModelsListed = [new("m", true), new("gone", true)] };
        File.WriteAllText(_path, File.ReadAllText(_path).Replace("models: [m, gone]", "models: [m]"));
        Assert.Empty(_services.GetRequiredService<RunningConfig>().Reload());

        // The models probe was in flight, with the models of the configuration before, when the reload removed "gone".
        Recording.RecordScheduledProbe(listedBoth, models);

        Assert.Equal([new ModelListing("m", true)], Store.LatestOf(models.Key)!.ModelsListed);
        Assert.Null(Health.ForModel(_target, "gone"));
    }

    [Fact]
    public void A_probe_is_in_flight_until_its_token_is_disposed_and_the_token_allocates_nothing()
    {
        // This thread's measurements only: other tests' probes count themselves on the same meter at the same time.
        var thread = Environment.CurrentManagedThreadId;
        long inFlight = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ExporterMetrics.MeterName && instrument.Name == "relay_exporter_probes_in_flight") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            if (Environment.CurrentManagedThreadId == thread) inFlight += value;
        });
        listener.Start();

        using (Recording.TrackInFlight()) Assert.Equal(1, inFlight);
        Assert.Equal(0, inFlight);

        const int probes = 1000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < probes; i++)
        {
            using var token = Recording.TrackInFlight();
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, inFlight);
        Assert.True(allocated == 0, $"{probes} probes in flight allocated {allocated} bytes");
    }

    private ProbeResult Result(ProbeJob job, ProbeOutcome outcome) => new()
    {
        Key = job.Key,
        Outcome = outcome,
        Reason = outcome.Label(),
        StartedAt = _time.GetUtcNow(),
        Duration = TimeSpan.FromMilliseconds(20),
        Trace = outcome.WasSent() ? new ProbeTrace() : null,
    };

    private ProbeTrace AskedToWait(TimeSpan wait)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(wait);
        var trace = new ProbeTrace();
        trace.RecordResponse(response, _time.GetUtcNow());
        return trace;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _measurements.Dispose();
        await _services.DisposeAsync();
        File.Delete(_path);
    }

    /// <summary>Stands in for the chat check: answers at once, reporting 1,000 input tokens.</summary>
    private sealed class PaidAnswer : IProbeCheck
    {
        public CheckKind Kind => CheckKinds.Chat;

        public Task<CheckFindings> RunAsync(ProbeContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new CheckFindings(ProbeOutcome.Success, "ok") { Generation = new GenerationFindings(new TokenUsage(1000, 0), null, null) });
    }

    /// <summary>The measurements of one target (the meter is shared by every test running at once): how many per instrument, and its latest health state.</summary>
    private sealed class Measurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, int> _counts = new();
        private readonly string _target;

        public Measurements(string target)
        {
            _target = target;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ExporterMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => On(instrument, value, tags));
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => On(instrument, value, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => On(instrument, value, tags));
            _listener.Start();
        }

        /// <summary>The state the target's health gauge last recorded as current (1).</summary>
        public string? TargetState { get; private set; }

        public int Count(string instrument) => _counts.GetValueOrDefault(instrument);

        private void On(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? target = null, model = null, state = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "target") target = tag.Value as string;
                if (tag.Key == "model") model = tag.Value as string;
                if (tag.Key == "state") state = tag.Value as string;
            }
            if (target != _target) return;
            _counts.AddOrUpdate(instrument.Name, 1, (_, n) => n + 1);
            if (instrument.Name == "relay_target_health_state" && model is null && value == 1) TargetState = state;
        }

        public void Dispose() => _listener.Dispose();
    }
}
