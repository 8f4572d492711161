using System.Diagnostics;
using RelayExporter.Benchmarks.Infrastructure;
using RelayExporter.Probing;

namespace RelayExporter.Benchmarks;

/// <summary>
/// What a probe costs: how many probes per second one process runs, and the process CPU time each costs. Probes run
/// in-process through <see cref="ProbeHandler.ExecuteAsync"/> (fresh connection, full response validation, nothing
/// recorded) at a fixed concurrency against the simulator, which runs as its own process so its CPU is not counted.
/// </summary>
public static class ProbeThroughput
{
    public static async Task RunAsync(Arguments args)
    {
        var check = args.String("check", "models");
        var concurrency = args.Int("concurrency", 8);
        var seconds = args.Int("seconds", 10);
        var rounds = args.Int("rounds", 3);
        // With --allocations N: the N types that probes allocate most, sampled over the measured rounds.
        var allocationTypes = args.Int("allocations", 0);
        args.RejectUnknown();

        using var simulator = await SimulatorProcess.StartAsync();
        using var config = FleetConfig.Write("throughput", 1, [simulator.TargetUrl("relay-a")], $"{{ {check}: {{ interval: 1h, timeout: 10s }} }}");
        using var rig = new ProbeRig(config.Path);
        var job = rig.Jobs.Single();

        Console.WriteLine($"check {check}, concurrency {concurrency}, {rounds} rounds of {seconds} s after a 3 s warm-up");
        await RoundAsync(rig.Handler, job, concurrency, TimeSpan.FromSeconds(3));
        var rates = new List<double>();
        var cpuPerProbe = new List<double>();
        var allocatedPerProbe = new List<double>();
        var probesMeasured = 0;
        // Created only when asked: the runtime's allocation events cost CPU, which the figures above would include.
        using var sampler = allocationTypes > 0 ? new AllocationSampler { Sampling = true } : null;
        for (var round = 1; round <= rounds; round++)
        {
            var result = await RoundAsync(rig.Handler, job, concurrency, TimeSpan.FromSeconds(seconds));
            rates.Add(result.Probes / result.Wall.TotalSeconds);
            cpuPerProbe.Add(result.Cpu.TotalMicroseconds / result.Probes);
            allocatedPerProbe.Add(result.Allocated / 1e3 / result.Probes);
            probesMeasured += result.Probes;
            Console.WriteLine($"round {round}: {result.Probes} probes ({result.Failed} failed) in {result.Wall.TotalSeconds:F1} s = " +
                $"{rates[^1]:F0} probes/s; CPU {result.Cpu.TotalSeconds:F2} s = {cpuPerProbe[^1]:F0} µs/probe " +
                $"({result.Cpu / result.Wall * 100:F0} % of one core); allocated {allocatedPerProbe[^1]:F1} KB/probe");
        }
        sampler?.Print(allocationTypes, probesMeasured, "probe");
        Console.WriteLine($"RESULT throughput {check}: {Stats.Summary(rates, "F0")} probes/s, CPU {Stats.Summary(cpuPerProbe, "F0")} µs/probe, " +
            $"allocated {Stats.Summary(allocatedPerProbe, "F1")} KB/probe (median (min–max) of {rounds})");
    }

    private static async Task<(int Probes, int Failed, TimeSpan Wall, TimeSpan Cpu, long Allocated)> RoundAsync(
        ProbeHandler handler, ProbeJob job, int concurrency, TimeSpan duration)
    {
        var process = Process.GetCurrentProcess();
        int probes = 0, failed = 0;
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (wall.Elapsed < duration)
            {
                var result = await handler.ExecuteAsync(job, transcribe: false, CancellationToken.None);
                Interlocked.Increment(ref probes);
                if (!result.Succeeded) Interlocked.Increment(ref failed);
            }
        }));
        wall.Stop();
        process.Refresh();
        return (probes, failed, wall.Elapsed, process.TotalProcessorTime - cpu, GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }
}
