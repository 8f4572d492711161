using System.Globalization;
using System.Text;
using RelayExporter.Configuration;
using RelayExporter.Outcomes;
using RelayExporter.Probing;

namespace RelayExporter.OnDemand;

/// <summary>A probe told for people: what was sent (credentials redacted), what came back, how long each part took, and why it ended so.</summary>
public static class ProbeDebugTrace
{
    public static string Render(ProbeJob job, ProbeResult result)
    {
        var text = new StringBuilder();
        text.AppendLine($"Probe {job.Key} ({job.Target.ProtocolDescription!.Name} protocol, {ConfigNames.Of(job.Target.Kind)}), timeout {Seconds(job.Timeout)}");
        text.AppendLine($"Started {result.StartedAt:yyyy-MM-ddTHH:mm:ss.fffZ}");
        if (result.Trace is { } trace)
        {
            text.AppendLine().AppendLine($"Request: {result.Transcript?.RequestLine}");
            foreach (var header in result.Transcript?.RequestHeaders ?? []) text.AppendLine($"  {header}");
            if (trace.StatusCode is { } status)
            {
                text.AppendLine().AppendLine($"Response: HTTP/{trace.HttpVersion} {status}");
                foreach (var header in result.Transcript?.ResponseHeaders ?? []) text.AppendLine($"  {header}");
            }
            text.AppendLine().AppendLine($"Phases: dns {Seconds(trace.Dns)}, connect {Seconds(trace.Connect)}, tls {Seconds(trace.Tls)}, " +
                $"first byte {Seconds(trace.FirstByte)}, transfer {Seconds(trace.Transfer)}");
            if (trace.CertificateNotAfter is { } notAfter) text.AppendLine($"TLS certificate chain expires {notAfter:yyyy-MM-ddTHH:mm:ssZ}");
            if (trace.RetryAfter is { } retryAfter) text.AppendLine($"Retry-After: {Seconds(retryAfter)}");
            if (trace.CertificateErrors is { } errors) text.AppendLine($"TLS certificate problem: {errors}");
            if (result.Transcript?.BodyExcerpt is { Length: > 0 } body) text.AppendLine().AppendLine("Body (start):").AppendLine($"  {body}");
        }
        else
        {
            text.AppendLine().AppendLine("No request was sent.");
        }
        if (result.Generation is { } generation)
        {
            text.AppendLine().AppendLine($"Tokens: input {generation.Usage?.InputTokens?.ToString(CultureInfo.InvariantCulture) ?? "not reported"}, " +
                $"output {generation.Usage?.OutputTokens?.ToString(CultureInfo.InvariantCulture) ?? "not reported"}" +
                (result.CostUsd is { } cost ? $", cost ${cost.ToString("0.########", CultureInfo.InvariantCulture)}" : ""));
            if (generation.TimeToFirstToken is { } ttft) text.AppendLine($"Time to first token: {Seconds(ttft)}");
            if (generation.TimePerOutputToken is { } tpot) text.AppendLine($"Time per output token: {Seconds(tpot)}");
        }
        text.AppendLine().AppendLine($"Outcome: {result.Outcome.Label()}");
        text.AppendLine($"Reason: {result.Reason}");
        text.AppendLine($"Duration: {Seconds(result.Duration)}");
        return text.ToString();
    }

    private static string Seconds(TimeSpan? value) => value is { } v ? $"{v.TotalSeconds.ToString("0.000###", CultureInfo.InvariantCulture)}s" : "-";
}
