using System.Diagnostics;
using RelayExporter.Benchmarks.Infrastructure;

namespace RelayExporter.Benchmarks;

/// <summary>
/// What a change to the scrape path buys, measured in one run: this build of the relay-exporter executable
/// (<see cref="Paths.Exporter"/>) and a peer build (<c>--peer PATH</c>, e.g. the publish folder copied before the change),
/// side by side, each with the same fleet (5,000 relay targets × health, models at 30 s: 10,000 series) against one
/// simulator. After the warm-up they are scraped in turn, the order alternating, as Prometheus asks (its OpenMetrics
/// Accept, gzip), the body read as sent (not decompressed: that is the client's work). Per build: the scrape time to
/// the last byte, the process's CPU over the scrape less its probing (its CPU rate in the pauses between scrapes), the bytes sent; then the
/// ratios. Both share the machine's noise, which is why the ratio is the result.
/// </summary>
public static class ScrapePair
{
    public static async Task RunAsync(Arguments args)
    {
        var peer = args.String("peer", "");
        var series = args.Int("series", 10_000);
        var warmup = TimeSpan.FromSeconds(args.Int("warmup", 50));
        var scrapes = args.Int("scrapes", 20);
        args.RejectUnknown();
        if (peer.Length == 0 || !File.Exists(peer)) throw new ArgumentException($"--peer must name another relay-exporter executable (got '{peer}')");

        using var simulator = await SimulatorProcess.StartAsync();
        using var config = FleetConfig.Write("pair", series / 2, [simulator.TargetUrl("relay-a"), simulator.TargetUrl("relay-b")],
            "{ health: { interval: 30s }, models: { interval: 30s } }");
        var (thisBuild, thisUrl) = await ExporterProcess.StartAsync(config.Path);
        using var _ = thisBuild;
        var (peerBuild, peerUrl) = await ExporterProcess.StartAsync(config.Path, executable: peer);
        using var __ = peerBuild;
        Console.WriteLine($"this build {Paths.Exporter} (pid {thisBuild.Id}), peer {peer} (pid {peerBuild.Id}): {series} series each; " +
            $"warm-up {warmup.TotalSeconds} s, {scrapes} scrapes each");
        await Task.Delay(warmup);

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var measured = new Dictionary<ChildProcess, List<(double Ms, double CpuMs, long Bytes)>> { [thisBuild] = [], [peerBuild] = [] };
        // CPU between scrapes is probing alone; its rate, taken off each scrape's CPU, leaves what the scrape cost.
        var processes = new[] { thisBuild, peerBuild };
        var probingCpu = processes.ToDictionary(p => p, _ => TimeSpan.Zero);
        var paused = TimeSpan.Zero;
        for (var i = 0; i < scrapes; i++)
        {
            var order = i % 2 == 0 ? new[] { (thisBuild, thisUrl), (peerBuild, peerUrl) } : [(peerBuild, peerUrl), (thisBuild, thisUrl)];
            foreach (var (process, url) in order) measured[process].Add(await ScrapeAsync(client, process, url));
            var (cpuBefore, pause) = (processes.ToDictionary(p => p, p => p.Cpu), Stopwatch.StartNew());
            await Task.Delay(TimeSpan.FromSeconds(2)); // a pause between rounds, as between Prometheus' scrapes
            paused += pause.Elapsed;
            foreach (var process in processes) probingCpu[process] += process.Cpu - cpuBefore[process];
        }
        foreach (var process in processes)
        {
            var rate = probingCpu[process] / paused;
            measured[process] = [.. measured[process].Select(m => m with { CpuMs = m.CpuMs - rate * m.Ms })];
        }

        foreach (var (name, process) in new[] { ("this build", thisBuild), ("peer", peerBuild) })
        {
            var m = measured[process];
            Console.WriteLine($"RESULT scrape-pair {name}: median {Stats.Median(m.Select(x => x.Ms).ToList()):F0} ms " +
                $"(p90 {Stats.Percentile(m.Select(x => x.Ms).ToList(), 90):F0}), CPU {Stats.Median(m.Select(x => x.CpuMs).ToList()):F0} ms per scrape " +
                $"(probing, {probingCpu[process] / paused * 100:F1} % of a core between scrapes, taken off), " +
                $"{m.Average(x => x.Bytes) / 1e6:F2} MB sent");
        }
        double Ratio(Func<(double Ms, double CpuMs, long Bytes), double> of) =>
            Stats.Median(measured[thisBuild].Select(of).ToList()) / Stats.Median(measured[peerBuild].Select(of).ToList());
        Console.WriteLine($"RESULT scrape-pair this build ÷ peer: time {Ratio(x => x.Ms):F2}, CPU {Ratio(x => x.CpuMs):F2}");
    }

    private static async Task<(double Ms, double CpuMs, long Bytes)> ScrapeAsync(HttpClient client, ChildProcess process, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url + "/metrics") { Headers = { { "Accept", PrometheusScraper.Accept }, { "Accept-Encoding", "gzip" } } };
        var cpu = process.Cpu;
        var started = Stopwatch.GetTimestamp();
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        var elapsed = Stopwatch.GetElapsedTime(started);
        response.EnsureSuccessStatusCode();
        var bytes = (await response.Content.ReadAsByteArrayAsync()).LongLength;
        return (elapsed.TotalMilliseconds, (process.Cpu - cpu).TotalMilliseconds, bytes);
    }
}
