using System.Net;

namespace RelayExporter.Simulator.Tests;

public sealed class SimulatorHostTests
{
    [Fact]
    public async Task Starts_only_the_given_targets_each_on_its_own_port()
    {
        TargetDefinition[] targets =
        [
            new("edge", TargetProtocol.OpenAi, TargetKind.Relay, ["m-1"]) { Providers = ["openai"] },
            new("claude", TargetProtocol.Anthropic, TargetKind.Provider, ["claude-x"]),
        ];
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Targets = targets });

        Assert.Equal(["edge", "claude"], host.Targets.Select(t => t.Name));
        Assert.Equal(3, new[] { host.AdminUrl.Port, host.TargetUrl("edge").Port, host.TargetUrl("claude").Port }.Distinct().Count());
        Assert.All(host.Targets, t => Assert.Equal("127.0.0.1", t.Url.Host));
        Assert.Throws<ArgumentException>(() => host.TargetUrl("relay-a"));

        using var http = TestHttp.CreateClient();
        using var health = await http.GetAsync(new Uri(host.TargetUrl("edge"), "/health"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains("\"openai\"", await health.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Disposing_closes_every_port()
    {
        var host = await SimulatorHost.StartAsync(new SimulatorOptions());
        var urls = host.Targets.Select(t => t.Url).Append(host.AdminUrl).ToList();
        await host.DisposeAsync();
        await host.DisposeAsync();

        using var http = TestHttp.CreateClient();
        foreach (var url in urls)
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(url));
            Assert.Equal(HttpRequestError.ConnectionError, error.HttpRequestError);
        }
    }

    [Theory]
    [InlineData("localhost", 0, "Host must be an IP address")]
    [InlineData("127.0.0.1", 65535, "leaves no room for 6 targets")]
    public async Task Rejects_bad_options(string host, int basePort, string message)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            SimulatorHost.StartAsync(new SimulatorOptions { Host = host, BasePort = basePort }));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task Rejects_duplicate_target_names()
    {
        var twice = DefaultTargets.All[0];
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            SimulatorHost.StartAsync(new SimulatorOptions { Targets = [twice, twice] }));
        Assert.Contains("target name 'relay-a' is used twice", error.Message);
    }
}
