using System.Text;
using RelayExporter.Telemetry;
using RelayExporter.Outcomes;
using RelayExporter.Probing;
using RelayExporter.Telemetry.Catalog;

namespace RelayExporter.OnDemand;

/// <summary>
/// One probe's result as Prometheus text, blackbox_exporter style: the series carry no target labels, because the
/// scraping Prometheus adds them (the multi-target exporter pattern). Names, types and help are those of /metrics, from the
/// <see cref="MetricCatalog"/>.
/// </summary>
public static class ProbeResultMetricsText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(ProbeResult result)
    {
        var text = new StringBuilder();
        Write(text, MetricCatalog.ProbeSuccess, [([], result.Succeeded ? 1 : 0)]);
        Write(text, MetricCatalog.ProbeDuration, [([], result.Duration.TotalSeconds)]);
        Write(text, MetricCatalog.Probes, [([("outcome", result.Outcome.Label())], 1)]);
        if (result.Trace is { } trace)
        {
            if (trace.StatusCode is { } status) Write(text, MetricCatalog.ProbeHttpStatusCode, [([], status)]);
            if (trace.HttpVersion is { } version) Write(text, MetricCatalog.ProbeHttpVersion, [([], version.Major + version.Minor / 10.0)]);
            Write(text, MetricCatalog.ProbePhaseDuration,
                [([("phase", "dns")], Seconds(trace.Dns)), ([("phase", "connect")], Seconds(trace.Connect)), ([("phase", "tls")], Seconds(trace.Tls)),
                 ([("phase", "first_byte")], Seconds(trace.FirstByte)), ([("phase", "transfer")], Seconds(trace.Transfer))]);
            if (trace.CertificateNotAfter is { } notAfter) Write(text, MetricCatalog.CertificateExpiry, [([], notAfter.ToUnixTimeSeconds())]);
            Write(text, MetricCatalog.RateLimitRemaining, trace.RateLimitRemaining.Select(l => (new[] { ("limit", l.Key) }, l.Value)).ToList());
        }
        if (result.ModelsListed is { } listed)
            Write(text, MetricCatalog.ModelListed, listed.Select(m => (new[] { ("model", m.Model) }, m.Listed ? 1.0 : 0)).ToList());
        if (result.Generation is { } generation)
        {
            if (generation.TimeToFirstToken is { } ttft) Write(text, MetricCatalog.ProbeTimeToFirstToken, [([], ttft.TotalSeconds)]);
            if (generation.TimePerOutputToken is { } tpot) Write(text, MetricCatalog.ProbeTimePerOutputToken, [([], tpot.TotalSeconds)]);
            var tokens = new List<((string, string)[], double)>();
            if (generation.Usage?.InputTokens is { } input) tokens.Add(([("type", "input")], input));
            if (generation.Usage?.OutputTokens is { } output) tokens.Add(([("type", "output")], output));
            Write(text, MetricCatalog.ProbeTokens, tokens);
        }
        if (result.CostUsd is { } cost) Write(text, MetricCatalog.ProbeCost, [([], cost)]);
        if (result.Health is { } health)
            Write(text, MetricCatalog.UpstreamAvailable,
                health.Providers.Where(p => p.Available is not null).Select(p => (new[] { ("provider", p.Provider) }, p.Available!.Value ? 1.0 : 0)).ToList());
        return text.ToString();
    }

    private static double Seconds(TimeSpan? value) => Math.Max(0, value?.TotalSeconds ?? 0);

    /// <summary>
    /// The metric as /metrics has it (name, type, help), holding this one probe: a gauge its value, a counter what the
    /// probe added, a histogram its one observation.
    /// </summary>
    private static void Write(StringBuilder text, MetricDefinition metric, IReadOnlyList<((string Name, string Value)[] Labels, double Value)> samples)
    {
        if (samples.Count == 0) return;
        var name = metric.PrometheusName;
        text.Append("# HELP ").Append(name).Append(' ').Append(metric.Help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(metric.PrometheusType).Append('\n');
        foreach (var (labels, value) in samples)
        {
            if (metric.Kind != MetricKind.Histogram)
            {
                Sample(text, name, labels, value);
                continue;
            }
            foreach (var bound in metric.Buckets!)
                Sample(text, name + "_bucket", [.. labels, ("le", PrometheusText.FormatDouble(bound))], value <= bound ? 1 : 0);
            Sample(text, name + "_bucket", [.. labels, ("le", "+Inf")], 1);
            Sample(text, name + "_sum", labels, value);
            Sample(text, name + "_count", labels, 1);
        }
    }

    private static void Sample(StringBuilder text, string name, (string Name, string Value)[] labels, double value)
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
