using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace RelayExporter.Simulator.Tests;

public sealed class CommandLineTests
{
    private static readonly string SimulatorDll = Path.Combine(AppContext.BaseDirectory, "relay-simulator.dll");

    [Fact]
    public async Task Prints_one_ready_line_with_every_url_and_serves_them()
    {
        using var simulator = ChildProcess.Start(ChildProcess.DotnetHost, [SimulatorDll, "--admin-port", "0", "--base-port", "0"]);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await simulator.StandardOutput.ReadLineAsync(deadline.Token);
        Assert.NotNull(line);
        Assert.StartsWith("simulator ready {", line);
        var ready = JsonDocument.Parse(line["simulator ready ".Length..]).RootElement;
        var targets = ready.GetProperty("targets").EnumerateObject().ToList();
        Assert.Equal(DefaultTargets.All.Select(t => t.Name), targets.Select(t => t.Name));
        Assert.All(targets, t => Assert.Matches(@"^http://127\.0\.0\.1:\d+$", t.Value.GetString()));

        using var http = TestHttp.CreateClient();
        using var admin = await http.GetAsync(new Uri(new Uri(ready.GetProperty("admin").GetString()!), "/_sim/targets"));
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        using var health = await http.GetAsync(new Uri(new Uri(targets[0].Value.GetString()!), "/health"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Theory]
    [InlineData("unknown argument '--verbose'", "--verbose")]
    [InlineData("--admin-port must be a port number from 0 to 65535, got '70000'", "--admin-port", "70000")]
    [InlineData("--base-port needs a port number", "--base-port")]
    [InlineData("--host needs an IP address such as 127.0.0.1 or 0.0.0.0", "--host", "localhost")]
    public async Task Bad_arguments_exit_2_with_a_clear_message(string message, params string[] args)
    {
        using var simulator = ChildProcess.Start(ChildProcess.DotnetHost, [SimulatorDll, .. args]);

        var (exitCode, output) = await simulator.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains(message, simulator.StandardError);
        Assert.Contains("usage: relay-simulator", simulator.StandardError);
    }

    [Fact]
    public async Task A_port_in_use_exits_1_with_the_bind_error()
    {
        using var occupied = new TcpListener(IPAddress.Loopback, 0);
        occupied.Start();
        var port = ((IPEndPoint)occupied.LocalEndpoint).Port;
        using var simulator = ChildProcess.Start(ChildProcess.DotnetHost, [SimulatorDll, "--admin-port", port.ToString(), "--base-port", "0"]);

        var (exitCode, output) = await simulator.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.Contains($"relay-simulator: cannot start: Failed to bind to address http://127.0.0.1:{port}", simulator.StandardError);
    }
}
