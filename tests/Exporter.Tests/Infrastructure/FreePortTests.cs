using System.Net;
using System.Net.Sockets;

namespace RelayExporter.Tests.Infrastructure;

public class FreePortTests
{
    [Fact]
    public void Ports_come_from_below_the_ephemeral_range_and_are_free()
    {
        var ephemeralStart = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0]);

        var ports = Enumerable.Range(0, 20).Select(_ => FreePort.Get()).ToList();

        Assert.All(ports, port => Assert.InRange(port, 10_000, ephemeralStart - 1));
        using var listener = new TcpListener(IPAddress.Loopback, ports[0]);
        listener.Start(); // throws if the port was not free
    }
}
