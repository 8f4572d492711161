using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using RelayExporter.Benchmarks.Infrastructure;
using RelayExporter.Probing;

namespace RelayExporter.Benchmarks;

/// <summary>
/// Whether a full /metrics render stays within 100 ms with 10,000 series: the exporter host as the executable builds it (minus the
/// scheduler), its result store and instruments filled by one real probe of every series (health and models checks of
/// 5,000 relay targets against the simulator process), then GET /metrics (OpenTelemetry's Prometheus exporter) timed end
/// to end — collection, snapshot, serialisation, transfer over loopback — in each format, after a warm-up. Also this
/// process's resident memory.
/// </summary>
public static class ScrapeRender
{
    private static readonly (string Name, string Accept, bool Gzip)[] Formats =
    [
        ("text 0.0.4", "text/plain;version=0.0.4", false),
        ("OpenMetrics 1.0", "application/openmetrics-text;version=1.0.0", false),
        ("text 0.0.4 gzip", "text/plain;version=0.0.4", true),
        ("OpenMetrics 1.0 gzip (as Prometheus asks)", "application/openmetrics-text;version=1.0.0", true),
    ];

    public static async Task RunAsync(Arguments args)
    {
        var series = args.Int("series", 10_000);
        var scrapes = args.Int("scrapes", 20);
        // Untimed scrapes per format first: the render code runs once per scrape, so the JIT's tiers need a few to
        // reach the optimised code a long-running exporter scrapes with.
        var warmup = args.Int("warmup", 10);
        var rounds = args.Int("rounds", 1);
        var allocationTypes = args.Int("allocations", 0);
        args.RejectUnknown();

        using var simulator = await SimulatorProcess.StartAsync();
        using var config = FleetConfig.Write("render", series / 2, [simulator.TargetUrl("relay-a"), simulator.TargetUrl("relay-b")],
            "{ health: { interval: 30s }, models: { interval: 30s } }");
        var options = FleetConfig.Load(config.Path);
        await using var app = await UnscheduledExporter.StartAsync(config.Path, options);
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/metrics";

        PrintMemory("after start, before probing");
        var jobs = ProbePlan.From(options);
        var handler = app.Services.GetRequiredService<ProbeHandler>();
        var failed = 0;
        var fill = Stopwatch.StartNew();
        // More than one round fills the per-target history too (50 results per target), as hours of probing would.
        for (var round = 0; round < rounds; round++)
            await Parallel.ForEachAsync(jobs, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (job, ct) =>
            {
                if (!(await handler.RunAsync(job, ct)).Succeeded) Interlocked.Increment(ref failed);
            });
        Console.WriteLine($"{jobs.Count} series probed {rounds} time(s) in {fill.Elapsed.TotalSeconds:F1} s ({failed} failed); {scrapes} timed scrapes per format after {warmup} warm-up");
        PrintMemory("after filling, before any scrape");

        using var client = new HttpClient();
        // The body is read into one reused buffer and dropped: allocating 30 MB per scrape in this process would charge
        // the client's garbage to the exporter's collector.
        var sink = new byte[1 << 20];
        // With --allocations N: the N types that gzip scrapes (as Prometheus asks) allocate most.
        using var sampler = allocationTypes > 0 ? new AllocationSampler() : null;
        var gzipScrapes = 0;
        foreach (var (name, accept, gzip) in Formats)
        {
            if (sampler is not null) sampler.Sampling = gzip;
            if (gzip) gzipScrapes += warmup + scrapes;
            var times = new List<double>();
            var cpu = new List<double>();
            var allocated = new List<double>();
            var bytes = 0;
            for (var i = -warmup; i < scrapes; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.TryAddWithoutValidation("Accept", accept);
                if (gzip) request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
                var started = Stopwatch.GetTimestamp();
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                await using var body = await response.EnsureSuccessStatusCode().Content.ReadAsStreamAsync();
                var length = 0;
                for (int read; (read = await body.ReadAsync(sink)) > 0;) length += read;
                if (i >= 0)
                {
                    times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
                    allocated.Add((GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1e6);
                }
                bytes = length;
            }
            Console.WriteLine($"RESULT render {name}: median {Stats.Median(times):F1} ms, p90 {Stats.Percentile(times, 90):F1} ms, " +
                $"max {times.Max():F1} ms; {bytes / 1e6:F1} MB; CPU per scrape median {Stats.Median(cpu):F0} ms, " +
                $"allocated {Stats.Median(allocated):F1} MB (server and client)");
        }

        sampler?.Print(allocationTypes, gzipScrapes, "scrape");
        PrintMemory("after the scrapes");
    }

    /// <summary>This process holds the exporter host and the (small) benchmark driver; the simulator is another process.</summary>
    private static void PrintMemory(string when)
    {
        GC.Collect();
        Console.WriteLine($"RESULT render memory {when}: RSS {Environment.WorkingSet / 1e6:F0} MB, " +
            $"managed heap {GC.GetTotalMemory(forceFullCollection: false) / 1e6:F0} MB");
    }
}
