using System.Net.Sockets;
using RelayExporter.Configuration;
using RelayExporter.Probing.Http;
using RelayExporter.Protocols;
using RelayExporter.Outcomes;

namespace RelayExporter.Probing;

/// <summary>
/// Runs one probe of any check: the total timeout, the duration, turning every exception into an outcome, pricing,
/// and handing the result to the sinks (<see cref="ProbeRecording"/>). Checks only send their request and judge the response.
/// </summary>
public sealed class ProbeHandler
{
    private readonly Dictionary<string, IProbeCheck> _checks;
    private readonly ProtocolCatalog _protocols;
    private readonly ProbeHttpClients _clients;
    private readonly RunningConfig _config;
    private readonly IProbeCircuits _circuits;
    private readonly ProbeRecording _recording;
    private readonly TimeProvider _time;
    private readonly ProcessSecrets _secrets;
    private readonly ILogger<ProbeHandler> _log;

    public ProbeHandler(IEnumerable<IProbeCheck> checks, ProtocolCatalog protocols, ProbeHttpClients clients, RunningConfig config,
        IProbeCircuits circuits, ProbeRecording recording, TimeProvider time, ProcessSecrets secrets, ILogger<ProbeHandler> log)
    {
        _checks = checks.ToDictionary(c => c.Kind.Name, StringComparer.OrdinalIgnoreCase);
        _protocols = protocols;
        _clients = clients;
        _config = config;
        _circuits = circuits;
        _recording = recording;
        _time = time;
        _secrets = secrets;
        _log = log;
    }

    /// <summary>Runs a scheduled probe through its circuit and hands its result to the sinks, in their order, then to the log.</summary>
    public async Task<ProbeResult> RunAsync(ProbeJob job, CancellationToken cancellationToken)
    {
        var result = await _circuits.ExecuteAsync(job, token => ExecuteAsync(job, transcribe: false, token), cancellationToken);
        _recording.RecordScheduledProbe(result, job);
        // Every probe at debug: at info the log tells what changed (StateChangeLog), not every probe that confirmed it.
        if (_log.IsEnabled(LogLevel.Debug))
            _log.LogDebug("Probe {Probe} ended {Outcome} in {DurationSeconds:0.###}s: {Reason}", job.Key, result.Outcome.Label(), result.Duration.TotalSeconds, result.Reason);
        return result;
    }

    /// <summary>
    /// Runs the probe and returns what it found, recording only what every probe sent records (its spend: on-demand
    /// probes cost money too); with <paramref name="transcribe"/>,
    /// also what was said (headers, the start of the body) for a debug trace — work no other reader needs.
    /// </summary>
    public async Task<ProbeResult> ExecuteAsync(ProbeJob job, bool transcribe, CancellationToken cancellationToken)
    {
        var startedAt = _time.GetUtcNow();
        var started = _time.GetTimestamp();
        var options = _config.Current;
        var trace = new ProbeTrace();
        var transcript = transcribe ? new ProbeTranscript() : null;
        var protocol = _protocols.For(job.Target.Protocol!.Value);
        var text = new UpstreamText(_secrets.Redactor(job.Target.Credential?.Value));
        using var exchange = new ProbeExchange(_clients, job.Target, protocol, trace, transcript, text, options.Probing.MaxBodyBytes, _time) { RequestedModel = job.Model };
        using var timeout = new CancellationTokenSource(job.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var inFlight = _recording.TrackInFlight();

        CheckFindings findings;
        try
        {
            findings = await _checks[job.Check].RunAsync(new ProbeContext(job, protocol, exchange), linked.Token);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down (or the caller left): no outcome to record, whatever the check made of the cancellation.
            throw new OperationCanceledException("the probe was cancelled", e, cancellationToken);
        }
        catch (ProbeFailure failure)
        {
            findings = new CheckFindings(failure.Outcome, failure.Message);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            findings = new CheckFindings(ProbeOutcome.Timeout, $"no complete response within the {job.Timeout.TotalSeconds:0.###}s timeout");
        }
        catch (HttpRequestException e)
        {
            findings = new CheckFindings(trace.ConnectFailure ?? TransportOutcome(e), Describe(e));
        }
        catch (IOException e)
        {
            findings = new CheckFindings(ProbeOutcome.InvalidResponse, $"connection failed while reading the response: {Describe(e)}");
        }
        catch (Exception e)
        {
            // A bug of ours must not stop the series: the probe ends with the reason, and the log has the details.
            _log.LogError(e, "Probe {Probe} failed unexpectedly", job.Key);
            findings = new CheckFindings(ProbeOutcome.InvalidResponse, $"unexpected error: {Describe(e)}");
        }

        // Reasons quote the upstream (bodies, error messages, exception texts): cleaned here, once, whatever the path.
        var reason = text.Clean(findings.Reason);
        transcript?.Clean(text);
        var result = new ProbeResult
        {
            Key = job.Key,
            Outcome = findings.Outcome,
            Reason = reason,
            StartedAt = startedAt,
            Duration = _time.GetElapsedTime(started),
            Trace = exchange.RequestSent ? trace : null,
            Transcript = exchange.RequestSent ? transcript : null,
            ModelsListed = findings.ModelsListed,
            Generation = findings.Generation,
            Health = findings.Health,
            Degraded = findings.Degraded,
            CostUsd = ProbePricing.CostUsd(options, job, findings.Generation),
        };
        // Money spent counts against the day's budget whoever sent the probe, the schedule or an on-demand request.
        _recording.RecordProbe(result, job);
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
