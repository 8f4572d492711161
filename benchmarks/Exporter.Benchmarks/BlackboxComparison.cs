using System.Diagnostics;
using System.Text.RegularExpressions;
using RelayExporter.Benchmarks.Infrastructure;

namespace RelayExporter.Benchmarks;

/// <summary>
/// Whether a probe costs us at most half what it costs blackbox_exporter: the same probe — an HTTP GET of the simulator's /v1/models with a bearer
/// header on a fresh connection — run through blackbox_exporter's <c>/probe?module=…&amp;target=…</c> and through
/// ours, <c>/probe?target=…&amp;check=models</c>, by the same client at the same concurrency. What is compared is each
/// exporter process's own CPU time (user + system, from /proc) divided by the probes it served; nothing is subtracted.
/// Rounds alternate between the two so that background noise falls on both.
/// </summary>
public static partial class BlackboxComparison
{
    public static async Task RunAsync(Arguments args)
    {
        var probes = args.Int("probes", 3000);
        var concurrency = args.Int("concurrency", 4);
        var rounds = args.Int("rounds", 3);
        // .NET compiles hot code again, optimised, after its first calls: measure after that settles.
        var warmup = args.Int("warmup", 5000);
        args.RejectUnknown();

        using var simulator = await SimulatorProcess.StartAsync();
        var models = simulator.TargetUrl("relay-a") + "/v1/models";
        using var blackboxConfig = BlackboxConfig();
        var blackboxUrl = $"http://127.0.0.1:{Paths.FreePort()}";
        using var blackbox = await ChildProcess.StartServingAsync(Paths.BlackboxExporter,
            [$"--config.file={blackboxConfig.Path}", $"--web.listen-address={new Uri(blackboxUrl).Authority}"], blackboxUrl + "/-/healthy");
        // The scheduled probe of this series runs once an hour: it adds at most one probe to a run.
        using var oursConfig = FleetConfig.Write("bench", 1, [simulator.TargetUrl("relay-a")], "{ models: { interval: 1h, timeout: 10s } }");
        var (ours, oursUrl) = await ExporterProcess.StartAsync(oursConfig.Path);
        using var _ = ours;
        var contenders = new[]
        {
            ("blackbox_exporter", blackbox, $"{blackboxUrl}/probe?module=openai_models&target={Uri.EscapeDataString(models)}"),
            ("relay-exporter", ours, $"{oursUrl}/probe?target=bench-00000&check=models"),
        };

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { Timeout = TimeSpan.FromSeconds(30) };
        foreach (var (name, _, url) in contenders)
        {
            var body = await client.GetStringAsync(url);
            if (!SuccessLine().IsMatch(body)) throw new InvalidOperationException($"{name} {url} did not report a successful probe:\n{body}");
        }

        Console.WriteLine($"{probes} probes per round at concurrency {concurrency}, {rounds} rounds each, alternating; warm-up {warmup} probes each");
        foreach (var (_, process, url) in contenders) await DriveAsync(client, process, url, warmup, concurrency);
        var cpuPerProbe = contenders.ToDictionary(c => c.Item1, _ => new List<double>());
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (name, process, url) in contenders)
            {
                var (wall, cpu) = await DriveAsync(client, process, url, probes, concurrency);
                cpuPerProbe[name].Add(cpu.TotalMicroseconds / probes);
                Console.WriteLine($"round {round} {name,-17}: {probes / wall.TotalSeconds,6:F0} probes/s, process CPU {cpu.TotalSeconds:F2} s = " +
                    $"{cpuPerProbe[name][^1]:F0} µs/probe; RSS {process.Rss / 1e6:F0} MB");
            }
        }

        var theirs = Stats.Median(cpuPerProbe["blackbox_exporter"]);
        var mine = Stats.Median(cpuPerProbe["relay-exporter"]);
        foreach (var (name, values) in cpuPerProbe) Console.WriteLine($"RESULT blackbox {name}: CPU {Stats.Summary(values, "F0")} µs/probe");
        Console.WriteLine($"RESULT blackbox ratio: blackbox_exporter / relay-exporter = {theirs / mine:F2}× (target ≥ 2×)");
    }

    /// <summary>Sends <paramref name="probes"/> GETs, <paramref name="concurrency"/> at a time; returns wall time and the server's CPU time.</summary>
    private static async Task<(TimeSpan Wall, TimeSpan Cpu)> DriveAsync(HttpClient client, ChildProcess server, string url, int probes, int concurrency)
    {
        var remaining = probes;
        var cpu = server.Cpu;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                using var response = await client.GetAsync(url);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
            }
        }));
        wall.Stop();
        return (wall.Elapsed, server.Cpu - cpu);
    }

    /// <summary>An http_2xx-like module with the bearer header; IPv4, as the target is 127.0.0.1.</summary>
    private static TempFile BlackboxConfig() => TempFile.Write("blackbox", $"""
        modules:
          openai_models:
            prober: http
            timeout: 10s
            http:
              method: GET
              headers:
                Authorization: Bearer {FleetConfig.CredentialValue}
              valid_status_codes: [200]
              preferred_ip_protocol: ip4
        """);

    /// <summary>blackbox's <c>probe_success 1</c>, ours <c>relay_probe_success{…} 1</c>.</summary>
    [GeneratedRegex(@"^(relay_)?probe_success(\{[^}]*\})? 1$", RegexOptions.Multiline)]
    private static partial Regex SuccessLine();
}
