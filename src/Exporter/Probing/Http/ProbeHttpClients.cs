using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using RelayExporter.Configuration;
using RelayExporter.Outcomes;

namespace RelayExporter.Probing.Http;

/// <summary>
/// An HTTP handler of its own for every probe, with its target's TLS settings: a probe's connection is its own,
/// never another target's or another probe's, and each target's TLS settings apply only to it. Every probe has a
/// fresh connection (as blackbox_exporter does), so DNS, connect and TLS are measured every time; the connect
/// callback does DNS and connect itself to time them, and ties the connection to the probe's <see cref="ProbeTrace"/>.
/// Nothing is kept per target between probes but its certificate check (thousands of targets; making a handler
/// costs a couple of kilobytes of garbage and no measurable CPU next to the connection it opens).
/// </summary>
public sealed class ProbeHttpClients : IDisposable
{
    private static readonly HttpRequestOptionsKey<ProbeTrace> TraceKey = new("relay.probe.trace");
    private readonly ConcurrentDictionary<(string? CaFile, bool Insecure), RemoteCertificateValidationCallback> _certificateChecks = new();
    private readonly TlsHandshakeListener _tlsListener = new();
    private readonly TimeProvider _time;
    private readonly Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> _connect;

    public ProbeHttpClients(TimeProvider time)
    {
        _time = time;
        _connect = ConnectAsync; // one delegate for every handler
    }

    /// <summary>A handler for one probe of the target; dispose it when the probe is done.</summary>
    public HttpMessageInvoker ForProbe(TargetOptions target) => new(new SocketsHttpHandler
    {
        // Redirects are not followed: a probe reports what the target answered, and a credential must never
        // follow a redirect to another host.
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None, // a compressed body is measured and bounded as sent
        MaxResponseHeadersLength = 64,
        // Every request says Connection: close: no connection is ever reused, so none is kept idle either.
        PooledConnectionIdleTimeout = TimeSpan.Zero,
        ConnectCallback = _connect,
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = CertificateCheck(target.Tls) },
    }, disposeHandler: true);

    /// <summary>Sends through the probe's handler; the request carries its trace to the connection callbacks.</summary>
    public static Task<HttpResponseMessage> SendAsync(HttpMessageInvoker probeHandler, HttpRequestMessage request, ProbeTrace trace, CancellationToken cancellationToken)
    {
        request.Options.Set(TraceKey, trace);
        request.Headers.ConnectionClose = true;
        return probeHandler.SendAsync(request, cancellationToken);
    }

    /// <summary>The certificate check of some TLS settings, made once: a CA file is read when a target first needs it.</summary>
    private RemoteCertificateValidationCallback CertificateCheck(TlsOptions options) =>
        _certificateChecks.GetOrAdd((options.CaFile, options.InsecureSkipVerify), static (_, options) =>
        {
            var tls = new TargetTls(options);
            return (_, certificate, chain, errors) => Validate(tls, certificate, chain, errors);
        }, options);

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var trace = context.InitialRequestMessage.Options.TryGetValue(TraceKey, out var t) ? t : null;
        // The TLS handshake that follows runs under this same connection-setup activity: let it find the trace.
        if (trace is not null) Activity.Current?.SetCustomProperty(TlsHandshakeListener.TraceProperty, trace);

        var endpoint = context.DnsEndPoint;
        IPAddress[] addresses;
        var started = _time.GetTimestamp();
        if (IPAddress.TryParse(endpoint.Host, out var literal)) addresses = [literal];
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
            }
            catch (SocketException)
            {
                if (trace is not null) trace.ConnectFailure = ProbeOutcome.DnsError;
                throw;
            }
            if (trace is not null) trace.Dns = _time.GetElapsedTime(started);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        started = _time.GetTimestamp();
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            if (trace is not null) trace.ConnectFailure = ProbeOutcome.ConnectError;
            throw;
        }
        if (trace is not null) trace.Connect = _time.GetElapsedTime(started);
        return new NetworkStream(socket, ownsSocket: true);
    }

    private static bool Validate(TargetTls tls, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var accepted = errors == SslPolicyErrors.None || tls.Accepts(certificate, errors);
        if (TlsHandshakeListener.CurrentTrace() is { } trace && certificate is X509Certificate2 leaf)
        {
            // The earliest expiry in the chain is the one that will break the connection first.
            var notAfter = chain?.ChainElements.Select(e => e.Certificate.NotAfter).DefaultIfEmpty(leaf.NotAfter).Min() ?? leaf.NotAfter;
            trace.CertificateNotAfter = new DateTimeOffset(notAfter.ToUniversalTime());
            // The system's errors are no problem when the target's own CA vouches for the certificate.
            if (!accepted) trace.CertificateErrors = errors;
        }
        return accepted;
    }

    /// <summary>Forgets the certificate checks of TLS settings no target has any more.</summary>
    public void RetainOnly(ExporterOptions options)
    {
        var current = options.Targets.Select(t => (t.Tls.CaFile, t.Tls.InsecureSkipVerify)).ToHashSet();
        foreach (var key in _certificateChecks.Keys.Where(k => !current.Contains(k))) _certificateChecks.TryRemove(key, out _);
    }

    public void Dispose() => _tlsListener.Dispose();
}
