using System.Diagnostics;
using System.Diagnostics.Metrics;
using Polly.CircuitBreaker;
using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Health;
using RelayExporter.Probing;
using RelayExporter.Probing.Http;
using RelayExporter.Protocols;

namespace RelayExporter.Telemetry;

/// <summary>
/// Every instrument the exporter publishes, defined here and in the two gauge sets it owns (<see cref="LatestProbeGauges"/>,
/// <see cref="StateGauges"/>) and nowhere else (docs/metrics.md documents each one), on one Meter.
/// </summary>
internal sealed class ExporterInstruments : IDisposable
{
    // Few buckets (they are most of /metrics for a large fleet), with bounds at the 3 s and 5 s alert thresholds.
    private static readonly double[] LatencyBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30];
    private static readonly double[] TokenTimeBuckets = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28];
    private static readonly double[] LagBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];
    // Bucket advice of the OpenTelemetry GenAI semantic conventions.
    private static readonly double[] GenAiDurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
    private static readonly double[] GenAiTokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];


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
    private readonly Histogram<double> _genAiDuration;
    private readonly Histogram<long> _genAiTokens;
    private readonly Histogram<double> _genAiTimeToFirstChunk;

    private readonly Counter<long> _circuitTransitions;
    private readonly LatestProbeGauges _latest;
    private readonly StateGauges _states;
    private readonly OpenEndedSeries _openEnded;

    public ExporterInstruments(ProbeResultStore results, HealthBoard health, CircuitBoard circuits, RunningConfig config, BuildInfo build, TimeProvider time,
        OpenEndedSeries openEnded)
    {
        _openEnded = openEnded;
        _meter = new Meter(ExporterMetrics.MeterName, build.Version);
        _circuitTransitions = _meter.CreateCounter<long>("relay_circuit_transitions",
            description: "Changes of state of a circuit breaker (scope reachability or api of the target, or model of target × model), by the state it changed to (open, half_open, closed, isolated).");

        _probeDuration = Histogram("relay_probe_duration", "s", LatencyBuckets,
            "Total time of each probe, from sending the request to judging the complete response.");
        _probes = _meter.CreateCounter<long>("relay_probes", description: "Probes run, by how each ended (outcome).");
        _skipped = _meter.CreateCounter<long>("relay_probes_skipped",
            description: "Scheduled probes not sent, by reason (retry_after: the target asked us to wait).");
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

        _genAiDuration = Histogram("gen_ai.client.operation.duration", "s", GenAiDurationBuckets, "GenAI operation duration.");
        _genAiTokens = _meter.CreateHistogram<long>("gen_ai.client.token.usage", "{token}", "Measures number of input and output tokens used.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = GenAiTokenBuckets.Select(b => (long)b).ToArray() });
        _genAiTimeToFirstChunk = Histogram("gen_ai.client.operation.time_to_first_chunk", "s", GenAiDurationBuckets,
            "Time to receive the first chunk of a streamed response.");

        _latest = new LatestProbeGauges(_meter, openEnded);
        _states = new StateGauges(_meter, health, circuits, time);
        ObserveHealthDocuments(results);
        ObserveHealthScores(health, time);
        ObserveExporter(config, build);
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

    public void RecordProbe(ProbeResult result, TargetOptions target, ILlmProtocol protocol)
    {
        var tags = OrderedTags.ForProbe(result.Key);
        // A probe the circuit did not send took no time; recording 0 s would flatter the latency histograms.
        if (result.Outcome != ProbeOutcome.CircuitOpen) _probeDuration.Record(result.Duration.TotalSeconds, tags);
        _probes.Add(1, tags.With("outcome", result.Outcome.Label()));
        _openEnded.Outcome(result.Key, result.Outcome);
        _latest.Record(result);
        _states.RefreshAfterProbe(result.Key, result.ModelsListed?.Select(l => l.Model) ?? []);
        if (result.Generation is { } generation && result.Key.Model is { } model) RecordGeneration(result, generation, model, target, protocol);
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

    private void RecordGeneration(ProbeResult result, GenerationFindings generation, string model, TargetOptions target, ILlmProtocol protocol)
    {
        var tags = OrderedTags.ForTarget(result.Key.Target, model);
        if (generation.TimeToFirstToken is { } ttft) _timeToFirstToken.Record(ttft.TotalSeconds, tags);
        if (generation.TimePerOutputToken is { } tpot) _timePerOutputToken.Record(tpot.TotalSeconds, tags);
        if (generation.Usage?.InputTokens is { } input) _tokens.Add(input, tags.With("type", "input"));
        if (generation.Usage?.OutputTokens is { } output) _tokens.Add(output, tags.With("type", "output"));
        if (result.CostUsd is { } cost) _cost.Add(cost, tags);

        var genAi = new TagList
        {
            { "gen_ai.operation.name", "chat" },
            { "gen_ai.provider.name", protocol.ProviderName },
            { "gen_ai.request.model", model },
        };
        // Requests go to the base URL's host (redirects are not followed); a probe that sent none has no server.
        if (result.Trace is not null)
        {
            var server = target.BaseUri;
            genAi = genAi.With("server.address", server.Host).With("server.port", server.Port);
        }
        if (!result.Succeeded) genAi = genAi.With("error.type", result.Outcome.Label());
        _genAiDuration.Record(result.Duration.TotalSeconds, genAi);
        if (generation.TimeToFirstToken is { } first) _genAiTimeToFirstChunk.Record(first.TotalSeconds, genAi);
        if (generation.Usage?.InputTokens is { } inputTokens) _genAiTokens.Record(inputTokens, genAi.With("gen_ai.token.type", "input"));
        if (generation.Usage?.OutputTokens is { } outputTokens) _genAiTokens.Record(outputTokens, genAi.With("gen_ai.token.type", "output"));
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

    private Histogram<double> Histogram(string name, string unit, double[] buckets, string description) =>
        _meter.CreateHistogram(name, unit, description, tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets });

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}
