using System.Diagnostics;
using System.Diagnostics.Metrics;
using RelayExporter.Probing;
using RelayExporter.Probing.Http;
using RelayExporter.Outcomes;
using RelayExporter.Telemetry.Catalog;

namespace RelayExporter.Telemetry;

/// <summary>
/// What the latest probe of each series found, as synchronous gauges recorded when the probe ends: a scrape reads the
/// stored values instead of walking every series' latest result. Series of removed targets leave with a restart of the
/// instruments (<see cref="ExporterMetrics"/>), which records the latest results again.
/// </summary>
internal sealed class LatestProbeGauges
{
    private static readonly string[] Phases = ["dns", "connect", "tls", "first_byte", "transfer"];

    private readonly Gauge<int> _success;
    private readonly Gauge<int> _statusCode;
    private readonly Gauge<double> _httpVersion;
    private readonly Gauge<double> _phaseDuration;
    private readonly Gauge<int> _modelListed;
    private readonly Gauge<double> _certificateExpiry;
    private readonly Gauge<double> _rateLimitRemaining;
    private readonly OpenEndedSeries _openEnded;

    public LatestProbeGauges(Meter meter, OpenEndedSeries openEnded)
    {
        _openEnded = openEnded;
        _success = MetricCatalog.ProbeSuccess.Gauge<int>(meter);
        _statusCode = MetricCatalog.ProbeHttpStatusCode.Gauge<int>(meter);
        _httpVersion = MetricCatalog.ProbeHttpVersion.Gauge<double>(meter);
        _phaseDuration = MetricCatalog.ProbePhaseDuration.Gauge<double>(meter);
        _modelListed = MetricCatalog.ModelListed.Gauge<int>(meter);
        _certificateExpiry = MetricCatalog.CertificateExpiry.Gauge<double>(meter);
        _rateLimitRemaining = MetricCatalog.RateLimitRemaining.Gauge<double>(meter);
    }

    public void Record(ProbeResult result)
    {
        var tags = OrderedTags.ForProbe(result.Key);
        _success.Record(result.Succeeded ? 1 : 0, tags);
        // A probe the circuit did not send leaves the latest exchange's values as they were.
        if (result.Outcome.WasSent()) _statusCode.Record(result.StatusCode ?? 0, tags);
        if (result.Trace is { } trace) RecordExchange(result.Key.Target, trace, tags);
        foreach (var (model, listed) in result.ModelsListed ?? [])
            _modelListed.Record(listed ? 1 : 0, Tag("model", model), Tag("target", result.Key.Target));
    }

    private void RecordExchange(string target, ProbeTrace trace, TagList tags)
    {
        if (trace.HttpVersion is { } version) _httpVersion.Record(version.Major + version.Minor / 10.0, tags);
        TimeSpan?[] phases = [trace.Dns, trace.Connect, trace.Tls, trace.FirstByte, trace.Transfer];
        // Every phase is reported, 0 when it did not happen (no DNS for an IP address, no TLS over http), as blackbox_exporter does.
        for (var i = 0; i < Phases.Length; i++)
        {
            _phaseDuration.Record(Math.Max(0, phases[i]?.TotalSeconds ?? 0), tags.With("phase", Phases[i]));
        }
        if (trace.CertificateNotAfter is { } notAfter) _certificateExpiry.Record(notAfter.ToUnixTimeSeconds(), Tag("target", target));
        foreach (var (limit, remaining) in trace.RateLimitRemaining)
        {
            _rateLimitRemaining.Record(remaining, Tag("limit", limit), Tag("target", target));
            _openEnded.RateLimit(target, limit);
        }
    }

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}
