using System.Net;
using System.Net.Sockets;

namespace RelayExporter.Tests.Support;

/// <summary>Small exporter configurations that tests start from.</summary>
public static class TestConfigs
{
    /// <summary>One target on a loopback port where nothing listens: every probe ends in connect_error.</summary>
    public static string UnreachableTarget(string name) => $"""
        targets:
          - name: {name}
            protocol: openai
            base_url: http://127.0.0.1:{ClosedPort()}
            checks:
              models: {"{"} interval: 1s, timeout: 1s {"}"}
        """;

    /// <summary>A port that was free a moment ago and that nothing listens on now.</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
