using System.Diagnostics;
using System.Text.RegularExpressions;
using RelayExporter.Benchmarks.Infrastructure;

namespace RelayExporter.Benchmarks;

/// <summary>
/// Whether a scheduled probe costs at most 1.2× an on-demand one, in one run and at the same rate. Scheduled: the
/// relay-exporter executable with <c>--series</c> series (relay targets × {health, models}) every <c>--interval</c>
/// seconds, scraped as Prometheus scrapes (OpenMetrics, gzip, every 15 s), so its CPU holds everything a scheduled
/// probe brings: the scheduler, circuits, health, the store, the instruments, the state refresh and its share of the
/// scrapes. On demand: the same executable with one target and nothing scheduled, sent <c>/probe</c> requests for the
/// same checks at the same rate by a paced client (open loop, as many in flight as the pace needs), so its CPU holds
/// the probe and answering it. Each exporter's CPU time (user + system, /proc) over the window divided by the probes
/// it ran; the pairs alternate so that background noise falls on both.
/// </summary>
public static partial class ScheduledVersusOnDemand
{
    private static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan PaceTick = TimeSpan.FromMilliseconds(10);

    public static async Task RunAsync(Arguments args)
    {
        var series = args.Int("series", 10_000);
        var interval = args.Int("interval", 30);
        var warmup = TimeSpan.FromSeconds(args.Int("warmup", 45));
        var window = TimeSpan.FromSeconds(args.Int("seconds", 90));
        var pairs = args.Int("pairs", 2);
        args.RejectUnknown();

        using var simulator = await SimulatorProcess.StartAsync();
        var urls = new[] { simulator.TargetUrl("relay-a"), simulator.TargetUrl("relay-b") };
        var rate = (double)series / interval;
        using var fleet = FleetConfig.Write("scheduled", series / 2, urls, $"{{ health: {{ interval: {interval}s }}, models: {{ interval: {interval}s }} }}");
        // Scheduled once an hour: at most one scheduled probe of each check in the window.
        using var single = FleetConfig.Write("ondemand", 1, urls, "{ health: { interval: 1h }, models: { interval: 1h } }");
        Console.WriteLine($"{series} series every {interval} s = {rate:F0} probes/s, scheduled against on demand; {pairs} pairs, " +
            $"warm-up {warmup.TotalSeconds} s, window {window.TotalSeconds} s");

        var scheduled = new List<double>();
        var onDemand = new List<double>();
        for (var pair = 1; pair <= pairs; pair++)
        {
            scheduled.Add(await MeasureScheduledAsync(fleet.Path, warmup, window));
            onDemand.Add(await MeasureOnDemandAsync(single.Path, rate, window));
            Console.WriteLine($"pair {pair}: scheduled {scheduled[^1]:F0} µs/probe, on demand {onDemand[^1]:F0} µs/probe, ratio {scheduled[^1] / onDemand[^1]:F2}");
        }
        var ratios = scheduled.Zip(onDemand, (s, o) => s / o).ToList();
        Console.WriteLine($"RESULT scheduled-vs-ondemand: scheduled {Stats.Summary(scheduled, "F0")} µs/probe, on demand {Stats.Summary(onDemand, "F0")} µs/probe " +
            $"at {rate:F0} probes/s; scheduled ÷ on demand, per pair: {Stats.Summary(ratios, "F2")} (target ≤ 1.2)");
    }

    private static async Task<double> MeasureScheduledAsync(string config, TimeSpan warmup, TimeSpan window)
    {
        var (exporter, url) = await ExporterProcess.StartAsync(config, timeout: TimeSpan.FromMinutes(2));
        using (exporter)
        {
            await Task.Delay(warmup);
            using var client = PrometheusScraper.Create(TimeSpan.FromSeconds(60));
            var before = new ScrapeText(await client.GetStringAsync(url + "/metrics"));
            var (cpu, clock) = (exporter.Cpu, Stopwatch.StartNew());
            while (clock.Elapsed < window)
            {
                await Task.Delay(ScrapeInterval);
                await client.GetByteArrayAsync(url + "/metrics");
            }
            var used = exporter.Cpu - cpu;
            var after = new ScrapeText(await client.GetStringAsync(url + "/metrics"));
            var probes = after.Sum("relay_probes_total") - before.Sum("relay_probes_total");
            Console.WriteLine($"  scheduled: {probes:F0} probes in {clock.Elapsed.TotalSeconds:F0} s, CPU {used.TotalSeconds:F1} s ({used / clock.Elapsed * 100:F1} % of one core)");
            return used.TotalMicroseconds / probes;
        }
    }

    private static async Task<double> MeasureOnDemandAsync(string config, double rate, TimeSpan window)
    {
        var (exporter, url) = await ExporterProcess.StartAsync(config, timeout: TimeSpan.FromMinutes(2));
        using (exporter)
        using (var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
        {
            string[] probes = [$"{url}/probe?target=ondemand-00000&check=health", $"{url}/probe?target=ondemand-00000&check=models"];
            // The first seconds at the pace: .NET compiles hot code again, optimised, after its first calls.
            await PaceAsync(client, probes, rate, TimeSpan.FromSeconds(10));
            var cpu = exporter.Cpu;
            var (sent, failed, elapsed) = await PaceAsync(client, probes, rate, window);
            var used = exporter.Cpu - cpu;
            Console.WriteLine($"  on demand: {sent} probes ({failed} not answered 200) in {elapsed.TotalSeconds:F0} s, CPU {used.TotalSeconds:F1} s ({used / elapsed * 100:F1} % of one core)");
            if (failed > 0) throw new InvalidOperationException($"{failed} of {sent} /probe requests failed: the figure would not be a probe's cost");
            return used.TotalMicroseconds / sent;
        }
    }

    /// <summary>
    /// Sends the probes in turn at <paramref name="rate"/> per second for <paramref name="duration"/>, without waiting for
    /// answers before sending the next, then waits for every answer; returns how many were sent, how many failed, and
    /// the time from the first to the last answer.
    /// </summary>
    private static async Task<(int Sent, int Failed, TimeSpan Elapsed)> PaceAsync(HttpClient client, string[] probes, double rate, TimeSpan duration)
    {
        var inFlight = new List<Task<bool>>();
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(PaceTick);
        while (clock.Elapsed < duration)
        {
            var due = (int)(clock.Elapsed.TotalSeconds * rate) + 1;
            while (inFlight.Count < due) inFlight.Add(ProbeAsync(client, probes[inFlight.Count % probes.Length]));
            await timer.WaitForNextTickAsync();
        }
        var answers = await Task.WhenAll(inFlight);
        return (answers.Length, answers.Count(ok => !ok), clock.Elapsed);
    }

    private static async Task<bool> ProbeAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode && SuccessLine().IsMatch(body);
    }

    [GeneratedRegex(@"^relay_probe_success(\{[^}]*\})? 1$", RegexOptions.Multiline)]
    private static partial Regex SuccessLine();
}
