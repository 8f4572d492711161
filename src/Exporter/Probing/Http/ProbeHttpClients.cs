using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using RelayExporter.Configuration;

namespace RelayExporter.Probing.Http;

/// <summary>
/// One connection pool per target, so that each probe's connection can be told apart from another target's and
/// each target's TLS settings apply only to it. Every probe asks for a fresh connection (as blackbox_exporter
/// does), so DNS, connect and TLS are measured every time; the connect callback does DNS and connect itself to time
/// them, and ties the connection to the probe's <see cref="ProbeTrace"/>.
/// </summary>
public sealed class ProbeHttpClients : IDisposable
{
    private static readonly HttpRequestOptionsKey<ProbeTrace> TraceKey = new("relay.probe.trace");
    private readonly ConcurrentDictionary<(string Target, string? CaFile, bool Insecure), HttpMessageInvoker> _invokers = new();
    private readonly TlsHandshakeListener _tlsListener = new();
    private readonly TimeProvider _time;

    public ProbeHttpClients(TimeProvider time) => _time = time;

    /// <summary>Sends through the target's own pool; the request carries its trace to the connection callbacks.</summary>
    public Task<HttpResponseMessage> SendAsync(TargetOptions target, HttpRequestMessage request, ProbeTrace trace, CancellationToken cancellationToken)
    {
        request.Options.Set(TraceKey, trace);
        request.Headers.ConnectionClose = true;
        return InvokerFor(target).SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// A target's pool depends only on its TLS settings. A pool whose settings changed is left to its idle timeout
    /// rather than disposed, because a probe may still be using it.
    /// </summary>
    private HttpMessageInvoker InvokerFor(TargetOptions target) =>
        _invokers.GetOrAdd((target.Name, target.Tls.CaFile, target.Tls.InsecureSkipVerify), _ => Create(target));

    private HttpMessageInvoker Create(TargetOptions target)
    {
        var tls = new TargetTls(target.Tls);
        return new HttpMessageInvoker(new SocketsHttpHandler
        {
            // Redirects are not followed: a probe reports what the target answered, and a credential must never
            // follow a redirect to another host.
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None, // a compressed body is measured and bounded as sent
            MaxResponseHeadersLength = 64,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5),
            ConnectCallback = ConnectAsync,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(tls, certificate, chain, errors),
            },
        }, disposeHandler: true);
    }

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
        if (TlsHandshakeListener.CurrentTrace() is { } trace && certificate is X509Certificate2 leaf)
        {
            // The earliest expiry in the chain is the one that will break the connection first.
            var notAfter = chain?.ChainElements.Select(e => e.Certificate.NotAfter).DefaultIfEmpty(leaf.NotAfter).Min() ?? leaf.NotAfter;
            trace.CertificateNotAfter = new DateTimeOffset(notAfter.ToUniversalTime());
            if (errors != SslPolicyErrors.None) trace.CertificateErrors = errors;
        }
        return errors == SslPolicyErrors.None || tls.Accepts(certificate, errors);
    }

    public void Dispose()
    {
        foreach (var invoker in _invokers.Values) invoker.Dispose();
        _tlsListener.Dispose();
    }
}
