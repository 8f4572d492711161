using RelayExporter.Simulator;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Gateways;

/// <summary>
/// Portkey's open-source AI gateway (npm <c>@portkey-ai/gateway</c>, see Gateways/portkey) on a free loopback port,
/// in front of an in-process simulator. <c>npm ci</c> runs when node_modules is missing or older than the lock file.
/// </summary>
public sealed class PortkeyGateway : IAsyncLifetime
{
    private static readonly TimeSpan InstallDeadline = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);
    private ExternalProcess? _gateway;

    public static string Directory => RepositoryPaths.File("tests", "Exporter.Tests", "Gateways", "portkey");

    public SimulatorHost Simulator { get; private set; } = null!;

    /// <summary>The gateway's root, e.g. <c>http://127.0.0.1:40123</c>; its OpenAI API is under /v1.</summary>
    public Uri Url { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await InstallAsync();
        Simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        var port = FreePort.Get();
        _gateway = ExternalProcess.Start("node", ["gateway.mjs", $"--port={port}", "--headless"], Directory);
        Url = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.UntilAsync(async () =>
        {
            if (_gateway.HasExited) throw new ProcessExitedException(_gateway.Describe());
            return (await http.GetStringAsync(Url)).Contains("AI Gateway", StringComparison.Ordinal);
        }, StartDeadline, $"Portkey's gateway answering at {Url}");
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null) await _gateway.DisposeAsync();
        if (Simulator is not null) await Simulator.DisposeAsync();
    }

    /// <summary>Resets every fault of the simulator behind the gateway.</summary>
    public async Task ClearFaultsAsync()
    {
        using var http = new HttpClient();
        using var response = await http.DeleteAsync(new Uri(Simulator.AdminUrl, "/_sim/faults"));
        response.EnsureSuccessStatusCode();
    }

    public async Task SetFaultAsync(string target, string? model, string faultJson)
    {
        using var http = new HttpClient();
        var path = model is null ? $"/_sim/faults/{target}" : $"/_sim/faults/{target}/{model}";
        using var response = await http.PutAsync(new Uri(Simulator.AdminUrl, path), new StringContent(faultJson, System.Text.Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, $"PUT {path} {faultJson}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task InstallAsync()
    {
        var installed = Path.Combine(Directory, "node_modules", ".package-lock.json");
        if (File.Exists(installed) && File.GetLastWriteTimeUtc(installed) >= File.GetLastWriteTimeUtc(Path.Combine(Directory, "package-lock.json")))
            return;
        await using var npm = ExternalProcess.Start("npm", ["ci", "--no-audit", "--no-fund"], Directory);
        var exitCode = await npm.WaitForExitAsync(InstallDeadline);
        Assert.True(exitCode == 0, $"npm ci exited {exitCode}: {npm.Describe()}");
    }
}
