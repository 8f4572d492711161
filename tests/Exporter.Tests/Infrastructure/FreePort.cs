using System.Net;
using System.Net.Sockets;

namespace RelayExporter.Tests.Infrastructure;

/// <summary>Free TCP ports on 127.0.0.1, chosen at run time.</summary>
public static class FreePort
{
    private const int Lowest = 10_000;

    /// <summary>
    /// A port below the kernel's ephemeral range that nothing listened on a moment ago. Ports the kernel hands out (bind
    /// to 0, outgoing connections) come from that range, so an outgoing connection of a busy machine cannot take this
    /// one before it is used; another test may still pick it by chance, so callers that hand it to an external program
    /// should be ready to retry (as <see cref="PrometheusServer"/> does).
    /// </summary>
    public static int Get()
    {
        var below = EphemeralRangeStart();
        while (true)
        {
            var port = below > Lowest + 1_000 ? Random.Shared.Next(Lowest, below) : 0;
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return ((IPEndPoint)listener.LocalEndpoint).Port;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                // taken: draw another
            }
        }
    }

    /// <summary>The first port of the kernel's ephemeral range (Linux); 0 where it cannot be read: any free port then.</summary>
    private static int EphemeralRangeStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range) && int.TryParse(File.ReadAllText(range).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0], out var low) ? low : 0;
    }
}
