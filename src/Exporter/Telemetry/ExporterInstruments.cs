using System.Diagnostics;
using System.Diagnostics.Metrics;
using Polly.CircuitBreaker;
using RelayExporter.Sharding;
using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Health;
using RelayExporter.Probing;
using RelayExporter.Probing.Http;
using RelayExporter.Spending;
using RelayExporter.Outcomes;
using RelayExporter.Telemetry.Catalog;

namespace RelayExporter.Telemetry;

/// <summary>
/// Every instrument the exporter publishes on its Meter, created here, in the two gauge sets it owns (<see cref="LatestProbeGauges"/>,
/// <see cref="StateGauges"/>) and in the GenAI instruments when the configuration asks for them (<see cref="GenAiInstruments"/>),
/// each from its entry in the <see cref="MetricCatalog"/>.
/// </summary>
internal sealed class ExporterInstruments : IInFlightCounter, IDisposable
{
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

    public ExporterInstruments(ProbeResultStore results, HealthBoard health, CircuitBoard circuits, RunningConfig config, BuildInfo build, Shard shard,
        TimeProvider time, DailySpend spend, OpenEndedSeries openEnded)
    {
        _openEnded = openEnded;
        _meter = new Meter(ExporterMetrics.MeterName, build.Version);
        _circuitTransitions = MetricCatalog.CircuitTransitions.Counter<long>(_meter);
        _probeDuration = MetricCatalog.ProbeDuration.Histogram<double>(_meter);
        _probes = MetricCatalog.Probes.Counter<long>(_meter);
        _skipped = MetricCatalog.ProbesSkipped.Counter<long>(_meter);
        _timeToFirstToken = MetricCatalog.ProbeTimeToFirstToken.Histogram<double>(_meter);
        _timePerOutputToken = MetricCatalog.ProbeTimePerOutputToken.Histogram<double>(_meter);
        _tokens = MetricCatalog.ProbeTokens.Counter<long>(_meter);
        _cost = MetricCatalog.ProbeCost.Counter<double>(_meter);
        _labelOverflow = MetricCatalog.LabelOverflow.Counter<long>(_meter);
        _valuesRefused = MetricCatalog.UpstreamValuesRefused.Counter<long>(_meter);
        _probesInFlight = MetricCatalog.ProbesInFlight.UpDownCounter<long>(_meter);
        _scheduleLag = MetricCatalog.ScheduleLag.Histogram<double>(_meter);

        if (config.Current.Metrics.GenAi) _genAi = new GenAiInstruments(_meter, openEnded);

        _latest = new LatestProbeGauges(_meter, openEnded);
        _states = new StateGauges(_meter, health, circuits, time);
        ObserveHealthDocuments(results);
        ObserveExporter(config, build, shard);
        ObserveSpend(spend);
        ObserveDirectPairs(config);
    }

    /// <summary>Records the latest values of these results and every current state (fresh instruments start empty).</summary>
    public void RecordCurrent(IEnumerable<ProbeResult> latest)
    {
        foreach (var result in latest)
        {
            _latest.Record(result);
            CountProviders(result);
        }
        _states.Refresh();
    }

    /// <summary>Records the health and circuit states that changed with time alone.</summary>
    public void RefreshStates() => _states.Refresh();

    public void RecordCircuitTransition(CircuitKey key, CircuitState to)
    {
        _circuitTransitions.Add(1, OrderedTags.ForCircuit(key).With("to", to.Label()));
        _openEnded.Transition(key, to);
        _states.RecordCircuit(key);
    }

    public void RecordProbe(ProbeResult result, TargetOptions target)
    {
        var tags = OrderedTags.ForProbe(result.Key);
        // A probe the circuit did not send took no time; recording 0 s would flatter the latency histograms.
        if (result.Outcome.WasSent()) _probeDuration.Record(result.Duration.TotalSeconds, tags);
        _probes.Add(1, tags.With("outcome", result.Outcome.Label()));
        _openEnded.Outcome(result.Key, result.Outcome);
        _latest.Record(result);
        _states.RefreshAfterProbe(result.Key, result.ModelsListed?.Select(l => l.Model) ?? []);
        if (result.Generation is { } generation && result.Key.Model is { } model) RecordGeneration(result, generation, model);
        _genAi?.Record(result, target);
        CountProviders(result);
        if (result.Health is { ProvidersOverCap: > 0 } health) _labelOverflow.Add(health.ProvidersOverCap, new KeyValuePair<string, object?>("label", "provider"));
        foreach (var reason in result.Health?.RefusedValues ?? []) _valuesRefused.Add(1, Tag("reason", reason), Tag("target", result.Key.Target));
    }

    public void RecordSkipped(ProbeKey key, string reason)
    {
        _skipped.Add(1, OrderedTags.ForProbe(key).With("reason", reason));
        _openEnded.Skip(key, reason);
    }

    public void RecordScheduleLag(TimeSpan lag) => _scheduleLag.Record(Math.Max(0, lag.TotalSeconds));

    /// <summary>Counts a probe in; disposing the token counts it out again.</summary>
    public InFlightProbe TrackInFlight()
    {
        _probesInFlight.Add(1);
        return new InFlightProbe(this);
    }

    void IInFlightCounter.Ended() => _probesInFlight.Add(-1);

    public void Dispose() => _meter.Dispose();

    // Counted when a document arrives, not as a scrape reads it: hashing every provider of every target on every scrape
    // cost more than observing them.
    private void CountProviders(ProbeResult result)
    {
        foreach (var provider in result.Health?.Providers ?? []) _openEnded.Provider(result.Key.Target, provider.Provider);
    }

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
        IEnumerable<Measurement<int>> Available()
        {
            foreach (var (target, document) in results.HealthDocuments)
                foreach (var provider in document.Providers)
                    if (provider.Available is { } available) yield return new(available ? 1 : 0, Tag("provider", provider.Provider), Tag("target", target));
        }

        IEnumerable<Measurement<double>> Latency()
        {
            foreach (var (target, document) in results.HealthDocuments)
                foreach (var provider in document.Providers)
                    if (provider.LatencySeconds is { } latency) yield return new(latency, Tag("provider", provider.Provider), Tag("target", target));
        }

        IEnumerable<Measurement<T>> PerTarget<T>(Func<RelayHealthDocument, T?> value) where T : struct
        {
            foreach (var (target, document) in results.HealthDocuments)
                if (value(document) is { } measured) yield return new(measured, Tag("target", target));
        }

        MetricCatalog.UpstreamAvailable.ObservableGauge(_meter, Available);
        MetricCatalog.UpstreamLatency.ObservableGauge(_meter, Latency);
        MetricCatalog.ActiveNodes.ObservableGauge(_meter, () => PerTarget(document => document.ActiveNodes));
        MetricCatalog.QueueDepth.ObservableGauge(_meter, () => PerTarget(document => document.QueueDepth));
        MetricCatalog.HealthDocumentProblems.ObservableGauge(_meter, () => PerTarget<int>(document => document.Problems.Count));
    }

    private void ObserveExporter(RunningConfig config, BuildInfo build, Shard shard)
    {
        MetricCatalog.ExporterBuildInfo.ObservableGauge(_meter,
            () => new Measurement<int>(1, Tag("revision", build.Revision), Tag("runtime", build.Runtime), Tag("version", build.Version)));
        // What a rule needs to see a shard that nothing scrapes: the shards it should find, and which one this is.
        MetricCatalog.ExporterShard.ObservableGauge(_meter, () => shard.Index);
        MetricCatalog.ExporterShards.ObservableGauge(_meter, () => shard.Count);
        MetricCatalog.ConfigLastReloadSuccessful.ObservableGauge(_meter, () => config.LastReloadSucceeded ? 1 : 0);
        MetricCatalog.ConfigLastReloadSuccessTimestamp.ObservableGauge(_meter, () => config.LastSuccessfulReload.ToUnixTimeMilliseconds() / 1000.0);
        MetricCatalog.ProbesMaxConcurrency.ObservableGauge(_meter, () => config.Current.Probing.MaxConcurrency);
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

        MetricCatalog.DirectPairInfo.ObservableGauge(_meter, Pairs);
    }

    private void ObserveSpend(DailySpend spend)
    {
        MetricCatalog.SpendToday.ObservableGauge(_meter, () => spend.SpentTodayUsd);
        MetricCatalog.Budget.ObservableGauge(_meter,
            () => spend.BudgetUsd is { } budget ? [new Measurement<double>(budget)] : Array.Empty<Measurement<double>>());
        MetricCatalog.SpendProjected.ObservableGauge(_meter, () => spend.Projection.UsdPerDay);
    }

    private sealed record PairingOf(ExporterOptions Options, DirectPairing Pairing);

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}
