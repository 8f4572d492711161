using System.Net.Sockets;
using RelayExporter.Protocols;
using RelayExporter.Telemetry;

namespace RelayExporter.Probing;

/// <summary>
/// Runs one probe of any check: the total timeout, the duration, turning every exception into an outcome,
/// and recording the result. Checks only send their request and judge the response.
/// </summary>
public sealed class ProbeHandler
{
    private readonly Dictionary<string, IProbeCheck> _checks;
    private readonly ProtocolCatalog _protocols;
    private readonly ProbeResultStore _results;
    private readonly ExporterMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<ProbeHandler> _log;

    public ProbeHandler(IEnumerable<IProbeCheck> checks, ProtocolCatalog protocols, ProbeResultStore results,
        ExporterMetrics metrics, TimeProvider time, ILogger<ProbeHandler> log)
    {
        _checks = checks.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        _protocols = protocols;
        _results = results;
        _metrics = metrics;
        _time = time;
        _log = log;
    }

    public bool Supports(string check) => _checks.ContainsKey(check);

    public async Task<ProbeResult> RunAsync(ProbeJob job, CancellationToken cancellationToken)
    {
        var startedAt = _time.GetUtcNow();
        var started = _time.GetTimestamp();
        using var timeout = new CancellationTokenSource(job.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var inFlight = _metrics.TrackInFlight();

        CheckFindings findings;
        try
        {
            findings = await _checks[job.Check].RunAsync(job, _protocols.For(job.Target.Protocol!.Value), linked.Token);
        }
        catch (ProbeFailure failure)
        {
            findings = new CheckFindings(failure.Outcome, failure.Message, failure.StatusCode);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            findings = new CheckFindings(ProbeOutcome.Timeout, $"no complete response within the {job.Timeout.TotalSeconds:0.###}s timeout", null);
        }
        catch (HttpRequestException e)
        {
            findings = new CheckFindings(TransportOutcome(e), Describe(e), (int?)e.StatusCode);
        }
        catch (IOException e)
        {
            findings = new CheckFindings(ProbeOutcome.InvalidResponse, $"connection failed while reading the response: {Describe(e)}", null);
        }

        var result = new ProbeResult
        {
            Key = job.Key,
            Outcome = findings.Outcome,
            Reason = findings.Reason,
            StartedAt = startedAt,
            Duration = _time.GetElapsedTime(started),
            StatusCode = findings.StatusCode,
            ModelsListed = findings.ModelsListed,
        };
        _results.Add(result);
        _metrics.RecordProbe(result);
        if (!result.Succeeded) _log.LogInformation("Probe {Probe} ended {Outcome}: {Reason}", job.Key, result.Outcome.Label(), result.Reason);
        return result;
    }

    /// <summary>"An error occurred while sending the request" says little; the inner exceptions say what happened.</summary>
    private static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
            if (!messages.Contains(current.Message)) messages.Add(current.Message);
        return string.Join(": ", messages);
    }

    private static ProbeOutcome TransportOutcome(HttpRequestException e) => e.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => ProbeOutcome.DnsError,
        HttpRequestError.SecureConnectionError => ProbeOutcome.TlsError,
        HttpRequestError.ConnectionError => ProbeOutcome.ConnectError,
        HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded => ProbeOutcome.InvalidResponse,
        _ when e.InnerException is SocketException or IOException => ProbeOutcome.ConnectError,
        _ => ProbeOutcome.InvalidResponse,
    };
}
