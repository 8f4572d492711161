using System.Diagnostics;
using System.Text.Json;
using RelayExporter.Benchmarks.Infrastructure;

namespace RelayExporter.Benchmarks;

/// <summary>
/// How soon a hard outage is confirmed (unhealthy, circuit open) after it starts, with default settings (the aim: within
/// 5 s), and the way back. The relay-exporter executable watches one simulator relay with nothing but defaults (health and models
/// checks every 3 s, confirmation 1 s, circuit 60 % of 5 s, break 15 s). Each round waits a random part of the
/// interval (so the outage lands anywhere between two probes), makes the relay refuse connections, and polls
/// /api/v1/targets every 20 ms until the target is unhealthy and its circuit open; then clears the fault and polls
/// until it is healthy and closed again.
/// </summary>
public static class DetectionTime
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    public static async Task RunAsync(Arguments args)
    {
        var rounds = args.Int("rounds", 5);
        args.RejectUnknown();

        using var simulator = await SimulatorProcess.StartAsync();
        using var config = TempFile.Write("detection",
            $"targets:\n  - {{ name: relay-a, kind: relay, protocol: openai, base_url: \"{simulator.TargetUrl("relay-a")}\", " +
            $"credential: {{ env: {FleetConfig.CredentialVariable} }}, models: [gpt-4.1] }}\n");
        var port = Paths.FreePort();
        using var exporter = await ChildProcess.StartServingAsync(Paths.Exporter,
            ["--config.file", config.Path, "--web.listen-address", $"127.0.0.1:{port}"], $"http://127.0.0.1:{port}/-/ready");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var random = new Random(42);

        var detected = new List<(double Unhealthy, double Open)>();
        var recovered = new List<(double Healthy, double Closed)>();
        await WaitForAsync(http, "healthy", "closed", TimeSpan.FromSeconds(60));
        for (var round = 1; round <= rounds; round++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 3000)));
            await simulator.SetFaultAsync("relay-a", new { kind = "down", mode = "refused" });
            var outage = await WaitForAsync(http, "unhealthy", "open", TimeSpan.FromSeconds(60));
            await simulator.ClearFaultsAsync();
            var recovery = await WaitForAsync(http, "healthy", "closed", TimeSpan.FromSeconds(120));
            detected.Add(outage);
            recovered.Add(recovery);
            Console.WriteLine($"round {round}: outage → unhealthy {outage.State:F2} s, → circuit open {outage.Circuit:F2} s; " +
                $"recovery → healthy {recovery.State:F2} s, → circuit closed {recovery.Circuit:F2} s");
        }
        Console.WriteLine($"RESULT detection: outage → unhealthy median {Stats.Median(detected.Select(d => d.Unhealthy).ToList()):F2} s, max {detected.Max(d => d.Unhealthy):F2} s; " +
            $"→ circuit open median {Stats.Median(detected.Select(d => d.Open).ToList()):F2} s, max {detected.Max(d => d.Open):F2} s ({rounds} rounds)");
        Console.WriteLine($"RESULT recovery: → healthy median {Stats.Median(recovered.Select(r => r.Healthy).ToList()):F2} s, max {recovered.Max(r => r.Healthy):F2} s; " +
            $"→ circuit closed median {Stats.Median(recovered.Select(r => r.Closed).ToList()):F2} s, max {recovered.Max(r => r.Closed):F2} s");
    }

    /// <summary>Seconds until the target's state, and until its circuit, first showed the wanted values.</summary>
    private static async Task<(double State, double Circuit)> WaitForAsync(HttpClient http, string state, string circuit, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        double? stateAt = null, circuitAt = null;
        while (stateAt is null || circuitAt is null)
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"relay-a did not become {state} with its circuit {circuit} within {timeout.TotalSeconds} s");
            using var document = JsonDocument.Parse(await http.GetStringAsync("/api/v1/targets"));
            var target = document.RootElement.GetProperty("targets")[0];
            if (stateAt is null && target.GetProperty("state").GetString() == state) stateAt = clock.Elapsed.TotalSeconds;
            if (circuitAt is null && target.GetProperty("circuit").GetString() == circuit) circuitAt = clock.Elapsed.TotalSeconds;
            await Task.Delay(Poll);
        }
        return (stateAt.Value, circuitAt.Value);
    }
}
