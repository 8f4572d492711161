using System.Net.Security;
using RelayExporter.Outcomes;

namespace RelayExporter.Probing.Http;

/// <summary>
/// What one probe's HTTP exchange measured: phases, status, version, certificate, rate limits. Written while the
/// probe runs (parts of it from connection callbacks), read afterwards by the metrics — from the latest result of
/// every series, so it holds values, not text: what was said (headers, body) is the <see cref="ProbeTranscript"/>.
/// </summary>
public sealed class ProbeTrace
{
    public TimeSpan? Dns { get; set; }
    public TimeSpan? Connect { get; set; }
    public TimeSpan? Tls { get; set; }

    /// <summary>From sending the request to having the response headers.</summary>
    public TimeSpan? FirstByte { get; set; }

    /// <summary>From having the response headers to having read the whole body.</summary>
    public TimeSpan? Transfer { get; set; }

    /// <summary>Set when connecting failed: dns_error or connect_error, whichever step it was.</summary>
    public ProbeOutcome? ConnectFailure { get; set; }

    public DateTimeOffset? CertificateNotAfter { get; set; }

    /// <summary>What the system's certificate check objected to, when it did (the target's own TLS settings may still accept it).</summary>
    public SslPolicyErrors? CertificateErrors { get; set; }

    public int? StatusCode { get; set; }
    public Version? HttpVersion { get; set; }
    public IReadOnlyList<KeyValuePair<string, double>> RateLimitRemaining { get; private set; } = [];

    /// <summary>How long the target asked us to wait before the next request (429/503/529).</summary>
    public TimeSpan? RetryAfter { get; private set; }

    public void RecordResponse(HttpResponseMessage response, DateTimeOffset now)
    {
        RateLimitRemaining = ResponseHints.RateLimitRemaining(response.Headers);
        RetryAfter = ResponseHints.RetryAfter(response, now);
        StatusCode = (int)response.StatusCode;
        HttpVersion = response.Version;
    }
}
