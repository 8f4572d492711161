using System.Diagnostics;
using System.Diagnostics.Metrics;
using RelayExporter.Configuration;
using RelayExporter.Probing;

namespace RelayExporter.Telemetry;

/// <summary>
/// Every instrument the exporter publishes, defined here and nowhere else (docs/metrics.md documents each one).
/// Per-target gauges are observable: they report what the result store holds now, so removed targets vanish.
/// </summary>
public sealed class ExporterMetrics : IDisposable
{
    public const string MeterName = "RelayExporter";

    private static readonly double[] LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60];
    private static readonly double[] LagBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

    private readonly Meter _meter;
    private readonly Histogram<double> _probeDuration;
    private readonly Counter<long> _probes;
    private readonly UpDownCounter<long> _probesInFlight;
    private readonly Histogram<double> _scheduleLag;

    public ExporterMetrics(ProbeResultStore results, RunningConfig config, BuildInfo build)
    {
        _meter = new Meter(MeterName, build.Version);

        _probeDuration = _meter.CreateHistogram<double>("relay_probe_duration", "s",
            "Total time of each probe, from sending the request to judging the complete response.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _probes = _meter.CreateCounter<long>("relay_probes", description: "Probes run, by how each ended (outcome).");
        _probesInFlight = _meter.CreateUpDownCounter<long>("relay_exporter_probes_in_flight", description: "Probes sent and not yet finished.");
        _scheduleLag = _meter.CreateHistogram<double>("relay_exporter_schedule_lag", "s",
            "How late each scheduled probe started compared with its planned time.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LagBuckets });

        _meter.CreateObservableGauge("relay_probe_success",
            () => results.Latest.Select(r => new Measurement<int>(r.Succeeded ? 1 : 0, ProbeTags(r.Key))),
            description: "1 if the latest probe of the series succeeded, else 0.");
        _meter.CreateObservableGauge("relay_probe_http_status_code",
            () => results.Latest.Where(r => r.StatusCode is not null).Select(r => new Measurement<int>(r.StatusCode!.Value, ProbeTags(r.Key))),
            description: "HTTP status code of the latest probe's response.");
        _meter.CreateObservableGauge("relay_model_listed",
            () => results.Latest.Where(r => r.ModelsListed is not null).SelectMany(r => r.ModelsListed!.Select(m =>
                new Measurement<int>(m.Value ? 1 : 0, new KeyValuePair<string, object?>("target", r.Key.Target), new KeyValuePair<string, object?>("model", m.Key)))),
            description: "1 if the target's models list offers the configured model, else 0.");

        _meter.CreateObservableGauge("relay_exporter_build_info",
            () => new Measurement<int>(1, new("version", build.Version), new("revision", build.Revision), new("runtime", build.Runtime)),
            description: "Always 1; the labels say which build is running.");
        _meter.CreateObservableGauge("relay_exporter_config_last_reload_successful",
            () => config.LastReloadSucceeded ? 1 : 0,
            description: "1 if the last configuration (re)load succeeded, else 0.");
        _meter.CreateObservableGauge("relay_exporter_config_last_reload_success_timestamp", 
            () => config.LastSuccessfulReload.ToUnixTimeMilliseconds() / 1000.0, "s",
            "Unix time of the last successful configuration (re)load.");
    }

    public void RecordProbe(ProbeResult result)
    {
        var tags = ProbeTags(result.Key);
        _probeDuration.Record(result.Duration.TotalSeconds, tags);
        tags.Add("outcome", result.Outcome.Label());
        _probes.Add(1, tags);
    }

    public void RecordScheduleLag(TimeSpan lag) => _scheduleLag.Record(Math.Max(0, lag.TotalSeconds));

    /// <summary>Counts a probe as in flight until the returned handle is disposed.</summary>
    public InFlight TrackInFlight() => new(_probesInFlight);

    public void Dispose() => _meter.Dispose();

    private static TagList ProbeTags(ProbeKey key)
    {
        var tags = new TagList { { "target", key.Target }, { "check", key.Check } };
        if (key.Model is not null) tags.Add("model", key.Model);
        return tags;
    }

    public readonly struct InFlight : IDisposable
    {
        private readonly UpDownCounter<long> _counter;

        public InFlight(UpDownCounter<long> counter)
        {
            _counter = counter;
            _counter.Add(1);
        }

        public void Dispose() => _counter.Add(-1);
    }
}
