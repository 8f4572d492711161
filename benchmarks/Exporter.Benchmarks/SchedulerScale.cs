using System.Diagnostics;
using RelayExporter.Benchmarks.Infrastructure;

namespace RelayExporter.Benchmarks;

/// <summary>
/// Whether 2 cores carry 10,000 probe series at a 30 s interval: the relay-exporter executable (Release build) with 5,000
/// relay targets × {health, models} against the relay-simulator executable. After a warm-up (every series has run),
/// over a measurement window scraped as Prometheus scrapes (gzip, its Accept header, every 15 s): the exporter's average
/// CPU (% of one core, from /proc, scrapes included), its resident memory (before the first scrape, then every 5 s),
/// probes run, and the schedule lag p99 from relay_exporter_schedule_lag_seconds (the difference between the first and
/// the last scrape of the window, interpolated in its buckets). Then scrapes are timed, with their CPU cost.
/// <c>--fail-first S</c>: every target answers 500 for the first S seconds, before the warm-up, so that every circuit
/// has failed and holds a Polly breaker (a circuit gets one with its first failure) — the fleet's worst case for memory.
/// </summary>
public static class SchedulerScale
{
    private const string Lag = "relay_exporter_schedule_lag_seconds";
    private static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RssInterval = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(Arguments args)
    {
        var series = args.Int("series", 10_000);
        var interval = args.Int("interval", 30);
        var warmup = TimeSpan.FromSeconds(args.Int("warmup", 45));
        var window = TimeSpan.FromSeconds(args.Int("seconds", 180));
        var scrapes = args.Int("scrapes", 10);
        var failFirst = TimeSpan.FromSeconds(args.Int("fail-first", 0));
        args.RejectUnknown();

        using var simulator = await SimulatorProcess.StartAsync();
        using var config = FleetConfig.Write("scale", series / 2, [simulator.TargetUrl("relay-a"), simulator.TargetUrl("relay-b")],
            $"{{ health: {{ interval: {interval}s }}, models: {{ interval: {interval}s }} }}");
        var (exporter, url) = await ExporterProcess.StartAsync(config.Path);
        using var _ = exporter;
        Console.WriteLine($"exporter pid {exporter.Id}, simulator pid {simulator.Process.Id}: {series} series every {interval} s; " +
            $"warm-up {warmup.TotalSeconds} s, window {window.TotalSeconds} s");
        if (failFirst > TimeSpan.Zero)
        {
            foreach (var relay in new[] { "relay-a", "relay-b" }) await simulator.SetFaultAsync(relay, new { kind = "status", status = 500 });
            await Task.Delay(failFirst);
            await simulator.ClearFaultsAsync();
            Console.WriteLine($"every target answered 500 for the first {failFirst.TotalSeconds} s");
        }
        await Task.Delay(warmup);
        // A scrape allocates the whole response several times over; the memory it leaves behind is reported apart.
        var rssUnscraped = exporter.Rss / 1e6;

        using var client = PrometheusScraper.Create(TimeSpan.FromSeconds(60));
        var before = new ScrapeText(await client.GetStringAsync(url + "/metrics"));
        if (failFirst > TimeSpan.Zero) Console.WriteLine($"circuit transitions so far: {before.Sum("relay_circuit_transitions_total"):F0}");
        var (cpu, simulatorCpu, clock) = (exporter.Cpu, simulator.Process.Cpu, Stopwatch.StartNew());
        var rss = new List<double>();
        var nextScrape = ScrapeInterval;
        while (clock.Elapsed < window)
        {
            rss.Add(exporter.Rss / 1e6);
            await Task.Delay(RssInterval);
            if (clock.Elapsed < nextScrape) continue;
            await client.GetByteArrayAsync(url + "/metrics");
            nextScrape += ScrapeInterval;
        }
        var after = new ScrapeText(await client.GetStringAsync(url + "/metrics"));
        var (cpuUsed, simulatorCpuUsed, elapsed) = (exporter.Cpu - cpu, simulator.Process.Cpu - simulatorCpu, clock.Elapsed);

        var probes = after.Sum("relay_probes_total") - before.Sum("relay_probes_total");
        var (lagBefore, lagAfter) = (before.Buckets(Lag), after.Buckets(Lag));
        Console.WriteLine($"RESULT scale CPU: {cpuUsed / elapsed * 100:F1} % of one core ({cpuUsed.TotalSeconds:F1} s over {elapsed.TotalSeconds:F0} s; " +
            $"{probes:F0} probes = {probes / elapsed.TotalSeconds:F0}/s, {cpuUsed.TotalMicroseconds / probes:F0} µs/probe); " +
            $"simulator {simulatorCpuUsed / elapsed * 100:F1} % of one core");
        Console.WriteLine($"RESULT scale RSS: {rssUnscraped:F0} MB before the first scrape; scraped every {ScrapeInterval.TotalSeconds:F0} s: " +
            $"median {Stats.Median(rss):F0} MB, max {rss.Max():F0} MB");
        Console.WriteLine($"RESULT scale schedule lag: p50 {ScrapeText.Quantile(0.5, lagBefore, lagAfter) * 1000:F1} ms, " +
            $"p99 {ScrapeText.Quantile(0.99, lagBefore, lagAfter) * 1000:F1} ms (bucket-interpolated)");

        var times = new List<double>();
        cpu = exporter.Cpu;
        for (var i = 0; i < scrapes; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await client.GetByteArrayAsync(url + "/metrics");
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        Console.WriteLine($"RESULT scale scrape (as Prometheus: OpenMetrics, gzip; while probing): median {Stats.Median(times):F0} ms, max {times.Max():F0} ms; " +
            $"exporter CPU {(exporter.Cpu - cpu).TotalMilliseconds / scrapes:F0} ms per scrape (probing included)");
    }
}
