using System.Text;
using RelayExporter.Telemetry;
using RelayExporter.Outcomes;

namespace RelayExporter.Probing.OnDemand;

/// <summary>
/// One probe's result as Prometheus text, blackbox_exporter style: the series carry no target labels, because the
/// scraping Prometheus adds them (the multi-target exporter pattern).
/// </summary>
public static class ProbeResultMetricsText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(ProbeResult result)
    {
        var text = new StringBuilder();
        Gauge(text, "relay_probe_success", "1 if the probe succeeded, else 0.", [([], result.Succeeded ? 1 : 0)]);
        Gauge(text, "relay_probe_duration_seconds", "Total time of the probe.", [([], result.Duration.TotalSeconds)]);
        Gauge(text, "relay_probe_outcome", "1 for the outcome the probe ended in.", [([("outcome", result.Outcome.Label())], 1)]);
        if (result.Trace is { } trace)
        {
            if (trace.StatusCode is { } status) Gauge(text, "relay_probe_http_status_code", "HTTP status code of the response.", [([], status)]);
            if (trace.HttpVersion is { } version) Gauge(text, "relay_probe_http_version", "HTTP version of the response.", [([], version.Major + version.Minor / 10.0)]);
            Gauge(text, "relay_probe_phase_duration_seconds", "Time of each phase of the HTTP exchange.",
                [([("phase", "dns")], Seconds(trace.Dns)), ([("phase", "connect")], Seconds(trace.Connect)), ([("phase", "tls")], Seconds(trace.Tls)),
                 ([("phase", "first_byte")], Seconds(trace.FirstByte)), ([("phase", "transfer")], Seconds(trace.Transfer))]);
            if (trace.CertificateNotAfter is { } notAfter)
                Gauge(text, "relay_tls_certificate_expiry_timestamp_seconds", "When the earliest certificate of the chain expires.", [([], notAfter.ToUnixTimeSeconds())]);
            Gauge(text, "relay_rate_limit_remaining", "Requests or tokens left in the rate-limit window.",
                trace.RateLimitRemaining.Select(l => (new[] { ("limit", l.Key) }, l.Value)).ToList());
        }
        if (result.ModelsListed is { } listed)
            Gauge(text, "relay_model_listed", "1 if the models list offers the configured model.", listed.Select(m => (new[] { ("model", m.Model) }, m.Listed ? 1.0 : 0)).ToList());
        if (result.Generation is { } generation)
        {
            if (generation.TimeToFirstToken is { } ttft) Gauge(text, "relay_probe_time_to_first_token_seconds", "Time to the first token.", [([], ttft.TotalSeconds)]);
            if (generation.TimePerOutputToken is { } tpot) Gauge(text, "relay_probe_time_per_output_token_seconds", "Time per output token.", [([], tpot.TotalSeconds)]);
            var tokens = new List<((string, string)[], double)>();
            if (generation.Usage?.InputTokens is { } input) tokens.Add(([("type", "input")], input));
            if (generation.Usage?.OutputTokens is { } output) tokens.Add(([("type", "output")], output));
            Gauge(text, "relay_probe_tokens", "Tokens the response reports using.", tokens);
        }
        if (result.CostUsd is { } cost) Gauge(text, "relay_probe_cost_usd", "What the probe cost at the configured prices.", [([], cost)]);
        if (result.Health is { } health)
            Gauge(text, "relay_upstream_available", "1 if the relay reports the provider available.",
                health.Providers.Where(p => p.Available is not null).Select(p => (new[] { ("provider", p.Provider) }, p.Available!.Value ? 1.0 : 0)).ToList());
        return text.ToString();
    }

    private static double Seconds(TimeSpan? value) => Math.Max(0, value?.TotalSeconds ?? 0);

    private static void Gauge(StringBuilder text, string name, string help, IReadOnlyList<((string Name, string Value)[] Labels, double Value)> samples)
    {
        if (samples.Count == 0) return;
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" gauge\n");
        foreach (var (labels, value) in samples)
        {
            text.Append(name);
            if (labels.Length > 0)
            {
                text.Append('{');
                for (var i = 0; i < labels.Length; i++)
                {
                    if (i > 0) text.Append(',');
                    text.Append(labels[i].Name).Append("=\"");
                    PrometheusText.AppendEscapedLabelValue(text, labels[i].Value);
                    text.Append('"');
                }
                text.Append('}');
            }
            text.Append(' ').Append(PrometheusText.FormatDouble(value)).Append('\n');
        }
    }
}
