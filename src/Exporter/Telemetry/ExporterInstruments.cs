using System.Diagnostics;
using System.Diagnostics.Metrics;
using Polly.CircuitBreaker;
using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Health;
using RelayExporter.Probing;
using RelayExporter.Probing.Http;
using RelayExporter.Spending;
using RelayExporter.Outcomes;

namespace RelayExporter.Telemetry;

/// <summary>
/// Every instrument the exporter publishes, defined here, in the two gauge sets it owns (<see cref="LatestProbeGauges"/>,
/// <see cref="StateGauges"/>) and in the GenAI instruments when the configuration asks for them (<see cref="GenAiInstruments"/>),
/// and nowhere else (docs/metrics.md documents each one), on one Meter.
/// </summary>
internal sealed class ExporterInstruments : IDisposable
{
    // Few buckets (they are most of /metrics for a large fleet), with bounds at the 3 s and 5 s alert thresholds.
    private static readonly double[] LatencyBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30];
    private static readonly double[] TokenTimeBuckets = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28];
    private static readonly double[] LagBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

    private readonly Meter _meter;
    private readonly Histogram<double> _probeDuration;
    private readonly Counter<long> _probes;
    private readonly Counter<long> _skipped;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _timePerOutputToken;
    private readonly Counter<long> _tokens;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _labelOverflow;
    private readonly Counter<long> _valuesRefused;
    private readonly UpDownCounter<long> _probesInFlight;
    private readonly Histogram<double> _scheduleLag;
    private readonly GenAiInstruments? _genAi;

    private readonly Counter<long> _circuitTransitions;
    private readonly LatestProbeGauges _latest;
    private readonly StateGauges _states;
    private readonly OpenEndedSeries _openEnded;

    public ExporterInstruments(ProbeResultStore results, HealthBoard health, CircuitBoard circuits, RunningConfig config, BuildInfo build, TimeProvider time,
        DailySpend spend, OpenEndedSeries openEnded)
    {
        _openEnded = openEnded;
        _meter = new Meter(ExporterMetrics.MeterName, build.Version);
        _circuitTransitions = _meter.CreateCounter<long>("relay_circuit_transitions",
            description: "Changes of state of a circuit breaker (scope reachability or api of the target, or model of target × model), by the state it changed to (open, half_open, closed, isolated).");

        _probeDuration = Histogram("relay_probe_duration", "s", LatencyBuckets,
            "Total time of each probe, from sending the request to judging the complete response.");
        _probes = _meter.CreateCounter<long>("relay_probes", description: "Probes run, by how each ended (outcome).");
        _skipped = _meter.CreateCounter<long>("relay_probes_skipped",
            description: "Scheduled probes not sent, by reason (retry_after: the target asked us to wait; budget_exhausted: the day's spend reached the budget).");
        _timeToFirstToken = Histogram("relay_probe_time_to_first_token", "s", LatencyBuckets,
            "Stream check: time from sending the request to the first content or reasoning token.");
        _timePerOutputToken = Histogram("relay_probe_time_per_output_token", "s", TokenTimeBuckets,
            "Stream check: time between the first and the last token, divided by the output tokens after the first.");
        _tokens = _meter.CreateCounter<long>("relay_probe_tokens", description: "Tokens used by chat and stream probes, as the response's usage reports them.");
        _cost = _meter.CreateCounter<double>("relay_probe_cost_usd", description: "What chat and stream probes cost, in USD, at the configured prices.");
        _labelOverflow = _meter.CreateCounter<long>("relay_exporter_label_overflow",
            description: "Upstream-chosen label values dropped because a target reported more than the cap.");
        _valuesRefused = _meter.CreateCounter<long>("relay_upstream_values_refused",
            description: "Upstream-chosen label values refused, by reason: secret (holds a credential or a fragment of one), too_long, invalid_characters.");
        _probesInFlight = _meter.CreateUpDownCounter<long>("relay_exporter_probes_in_flight", description: "Probes sent and not yet finished.");
        _scheduleLag = Histogram("relay_exporter_schedule_lag", "s", LagBuckets, "How late each scheduled probe started compared with its planned time.");

        if (config.Current.Metrics.GenAi) _genAi = new GenAiInstruments(_meter, openEnded);

        _latest = new LatestProbeGauges(_meter, openEnded);
        _states = new StateGauges(_meter, health, circuits, time);
        ObserveHealthDocuments(results);
        ObserveHealthScores(health, time);
        ObserveExporter(config, build);
        ObserveSpend(spend);
        ObserveDirectPairs(config);
    }

    /// <summary>Records the latest values of these results and every current state (fresh instruments start empty).</summary>
    public void RecordCurrent(IEnumerable<ProbeResult> latest)
    {
        foreach (var result in latest) _latest.Record(result);
        _states.Refresh();
    }

    /// <summary>Records the health and circuit states that changed with time alone.</summary>
    public void RefreshStates() => _states.Refresh();

    public void RecordCircuitTransition(CircuitKey key, CircuitState to)
    {
        _circuitTransitions.Add(1, OrderedTags.ForCircuit(key).With("to", to.Label()));
        _openEnded.Transition(key, to);
        _states.RecordCircuit(key, to);
    }

    public void RecordProbe(ProbeResult result, TargetOptions target)
    {
        var tags = OrderedTags.ForProbe(result.Key);
        // A probe the circuit did not send took no time; recording 0 s would flatter the latency histograms.
        if (result.Outcome != ProbeOutcome.CircuitOpen) _probeDuration.Record(result.Duration.TotalSeconds, tags);
        _probes.Add(1, tags.With("outcome", result.Outcome.Label()));
        _openEnded.Outcome(result.Key, result.Outcome);
        _latest.Record(result);
        _states.RefreshAfterProbe(result.Key, result.ModelsListed?.Select(l => l.Model) ?? []);
        if (result.Generation is { } generation && result.Key.Model is { } model) RecordGeneration(result, generation, model);
        _genAi?.Record(result, target);
        if (result.Health is { ProvidersOverCap: > 0 } health) _labelOverflow.Add(health.ProvidersOverCap, new KeyValuePair<string, object?>("label", "provider"));
        foreach (var reason in result.Health?.RefusedValues ?? []) _valuesRefused.Add(1, Tag("reason", reason), Tag("target", result.Key.Target));
    }

    public void RecordSkipped(ProbeKey key, string reason)
    {
        _skipped.Add(1, OrderedTags.ForProbe(key).With("reason", reason));
        _openEnded.Skip(key, reason);
    }

    public void RecordScheduleLag(TimeSpan lag) => _scheduleLag.Record(Math.Max(0, lag.TotalSeconds));

    public InFlight TrackInFlight() => new(_probesInFlight);

    public void Dispose() => _meter.Dispose();

    private void RecordGeneration(ProbeResult result, GenerationFindings generation, string model)
    {
        var tags = OrderedTags.ForTarget(result.Key.Target, model);
        if (generation.TimeToFirstToken is { } ttft) _timeToFirstToken.Record(ttft.TotalSeconds, tags);
        if (generation.TimePerOutputToken is { } tpot) _timePerOutputToken.Record(tpot.TotalSeconds, tags);
        if (generation.Usage?.InputTokens is { } input) _tokens.Add(input, tags.With("type", "input"));
        if (generation.Usage?.OutputTokens is { } output) _tokens.Add(output, tags.With("type", "output"));
        if (result.CostUsd is { } cost) _cost.Add(cost, tags);
    }

    // Observable: a provider the relay stops reporting must leave /metrics with the document that dropped it. Each
    // callback yields as it reads the store, so a collection holds no list of tens of thousands of measurements.
    private void ObserveHealthDocuments(ProbeResultStore results)
    {
        IEnumerable<(string Target, RelayHealthDocument Document)> Documents()
        {
            foreach (var result in results.Latest)
                if (result.Health is { } document) yield return (result.Key.Target, document);
        }

        IEnumerable<Measurement<int>> Available()
        {
            foreach (var (target, document) in Documents())
                foreach (var provider in document.Providers)
                {
                    _openEnded.Provider(target, provider.Provider);
                    if (provider.Available is { } available) yield return new(available ? 1 : 0, Tag("provider", provider.Provider), Tag("target", target));
                }
        }

        IEnumerable<Measurement<double>> Latency()
        {
            foreach (var (target, document) in Documents())
                foreach (var provider in document.Providers)
                    if (provider.LatencySeconds is { } latency) yield return new(latency, Tag("provider", provider.Provider), Tag("target", target));
        }

        _meter.CreateObservableGauge("relay_upstream_available", Available,
            description: "1 if the relay reports the upstream provider available, else 0 (from its health document).");
        _meter.CreateObservableGauge("relay_upstream_latency", Latency, "s", "Latency the relay reports for the upstream provider (from its health document).");
        _meter.CreateObservableGauge("relay_active_nodes",
            () => Documents().Where(d => d.Document.ActiveNodes is not null).Select(d => new Measurement<double>(d.Document.ActiveNodes!.Value, Tag("target", d.Target))),
            description: "Active nodes the relay reports (from its health document).");
        _meter.CreateObservableGauge("relay_queue_depth",
            () => Documents().Where(d => d.Document.QueueDepth is not null).Select(d => new Measurement<double>(d.Document.QueueDepth!.Value, Tag("target", d.Target))),
            description: "Queue depth the relay reports (from its health document).");
        _meter.CreateObservableGauge("relay_health_document_problems",
            () => Documents().Select(d => new Measurement<int>(d.Document.Problems.Count, Tag("target", d.Target))),
            description: "Fields of the relay's latest health document that had an unexpected shape (0 when it was fully understood).");
    }

    // Observable: a score is absent while the state is unknown, which a synchronous gauge cannot express.
    private void ObserveHealthScores(HealthBoard health, TimeProvider time)
    {
        _meter.CreateObservableGauge("relay_target_health",
            () => health.Targets.Select(t => (t.Target, Score: t.Health.StateAt(time.GetUtcNow()).Score())).Where(t => t.Score is not null)
                .Select(t => new Measurement<double>(t.Score!.Value, Tag("target", t.Target))),
            description: "Health of the target: 1 healthy, 0.5 degraded, 0 unhealthy; absent while unknown.");
        _meter.CreateObservableGauge("relay_model_health",
            () => health.Models.Select(m => (m.Target, m.Model, Score: m.Health.StateAt(time.GetUtcNow()).Score())).Where(m => m.Score is not null)
                .Select(m => new Measurement<double>(m.Score!.Value, Tag("model", m.Model), Tag("target", m.Target))),
            description: "Health of the model on the target: 1 healthy, 0.5 degraded, 0 unhealthy; absent while unknown.");
    }

    private void ObserveExporter(RunningConfig config, BuildInfo build)
    {
        _meter.CreateObservableGauge("relay_exporter_build_info",
            () => new Measurement<int>(1, Tag("revision", build.Revision), Tag("runtime", build.Runtime), Tag("version", build.Version)),
            description: "Always 1; the labels say which build is running.");
        _meter.CreateObservableGauge("relay_exporter_config_last_reload_successful",
            () => config.LastReloadSucceeded ? 1 : 0,
            description: "1 if the last configuration (re)load succeeded, else 0.");
        _meter.CreateObservableGauge("relay_exporter_config_last_reload_success_timestamp",
            () => config.LastSuccessfulReload.ToUnixTimeMilliseconds() / 1000.0, "s",
            "Unix time of the last successful configuration (re)load.");
        _meter.CreateObservableGauge("relay_exporter_probes_max_concurrency",
            () => config.Current.Probing.MaxConcurrency,
            description: "Probes the exporter runs at once at most (probing.max_concurrency); more wait, and their schedule lag grows.");
    }

    // Observable: the pairs follow the configuration in force, so a reload that removes one removes its series.
    private void ObserveDirectPairs(RunningConfig config)
    {
        // Computed once per configuration; a reference, so a collection on another thread reads it whole.
        PairingOf? computed = null;
        IEnumerable<Measurement<int>> Pairs()
        {
            var options = config.Current;
            var last = computed;
            if (last is null || !ReferenceEquals(last.Options, options)) computed = last = new PairingOf(options, DirectPairing.Of(options));
            foreach (var pair in last.Pairing.Pairs)
                yield return new(1, Tag("direct_target", pair.DirectTarget), Tag("model", pair.Model), Tag("target", pair.Target));
        }

        _meter.CreateObservableGauge("relay_direct_pair_info", Pairs,
            description: "Always 1: the relay target's model is compared with the provider target (direct_target) that probes the same model directly; join on it to get what the relay adds.");
    }

    private void ObserveSpend(DailySpend spend)
    {
        _meter.CreateObservableGauge("relay_spend_today_usd", () => spend.SpentTodayUsd,
            description: "What paid probes spent in the current UTC day, in USD at the configured prices; back to 0 when the day ends.");
        _meter.CreateObservableGauge("relay_budget_usd_per_day",
            () => spend.BudgetUsd is { } budget ? [new Measurement<double>(budget)] : Array.Empty<Measurement<double>>(),
            description: "The configured budget.usd_per_day; absent without a budget.");
        _meter.CreateObservableGauge("relay_spend_projected_usd_per_day", () => spend.Projection.UsdPerDay,
            description: "The most the schedule's paid checks can spend in a day: every probe billing its prompt and max_tokens at the configured prices.");
    }

    private sealed record PairingOf(ExporterOptions Options, DirectPairing Pairing);

    private Histogram<double> Histogram(string name, string unit, double[] buckets, string description) =>
        _meter.CreateHistogram(name, unit, description, tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets });

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}
