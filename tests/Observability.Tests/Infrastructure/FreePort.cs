using System.Net;
using System.Net.Sockets;

namespace RelayExporter.Observability.Tests.Infrastructure;

/// <summary>Free TCP ports on 127.0.0.1, chosen by the OS at run time.</summary>
public static class FreePort
{
    /// <summary>
    /// A port the OS considered free a moment ago. Another process may take it before it is used, so callers
    /// that hand it to an external program should be ready to retry (as <see cref="PrometheusServer"/> does).
    /// </summary>
    public static int Get()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
