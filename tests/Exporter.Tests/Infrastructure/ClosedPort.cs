using System.Net;
using System.Net.Sockets;

namespace RelayExporter.Tests.Infrastructure;

/// <summary>
/// A port on 127.0.0.1 that refuses every connection for as long as this lives: bound, never listening, so the kernel
/// answers a connect with a reset at once and no other test or program can listen on it meanwhile (a port that was
/// merely free a moment ago can be taken, and a server there answers instead of refusing).
/// </summary>
public sealed class ClosedPort : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public ClosedPort() => _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public void Dispose() => _socket.Dispose();
}
