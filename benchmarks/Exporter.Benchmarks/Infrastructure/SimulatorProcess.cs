using System.Net.Http.Json;
using System.Text.Json;

namespace RelayExporter.Benchmarks.Infrastructure;

/// <summary>The relay-simulator executable on free ports, with its default targets; faults set over its admin API.</summary>
public sealed class SimulatorProcess : IDisposable
{
    private readonly ChildProcess _process;
    private readonly Dictionary<string, string> _targets;
    private readonly HttpClient _admin;

    private SimulatorProcess(ChildProcess process, string admin, Dictionary<string, string> targets)
    {
        _process = process;
        _targets = targets;
        _admin = new HttpClient { BaseAddress = new Uri(admin) };
    }

    public ChildProcess Process => _process;

    public static async Task<SimulatorProcess> StartAsync()
    {
        var process = ChildProcess.Start(Paths.Simulator, ["--admin-port", "0", "--base-port", "0"]);
        try
        {
            const string Ready = "simulator ready ";
            var line = await process.WaitForLineAsync(l => l.StartsWith(Ready, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            using var urls = JsonDocument.Parse(line[Ready.Length..]);
            var targets = urls.RootElement.GetProperty("targets").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            return new SimulatorProcess(process, urls.RootElement.GetProperty("admin").GetString()!, targets);
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>Base URL of a default target (relay-a, relay-b, openai, anthropic, gemini, deepseek).</summary>
    public string TargetUrl(string name) => _targets[name];

    /// <summary>Every response of the target leaves exactly <paramref name="delayMs"/> after its request arrived.</summary>
    public async Task SetSlowAsync(string target, int delayMs)
    {
        using var response = await _admin.PutAsJsonAsync($"/_sim/faults/{target}", new { kind = "slow", delay_ms = delayMs });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Sets any fault on the whole target, e.g. <c>new { kind = "down", mode = "refused" }</c>.</summary>
    public async Task SetFaultAsync(string target, object fault)
    {
        using var response = await _admin.PutAsJsonAsync($"/_sim/faults/{target}", fault);
        response.EnsureSuccessStatusCode();
    }

    public async Task ClearFaultsAsync()
    {
        using var response = await _admin.DeleteAsync("/_sim/faults");
        response.EnsureSuccessStatusCode();
    }

    public void Dispose()
    {
        _admin.Dispose();
        _process.Dispose();
    }
}
