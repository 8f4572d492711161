using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using RelayExporter.Benchmarks.Infrastructure;
using RelayExporter.Probing;

namespace RelayExporter.Benchmarks;

/// <summary>
/// What a probe costs: how many probes per second one process runs, and the process CPU time each costs. Probes run
/// in-process through <see cref="ProbeHandler.ExecuteAsync"/> (fresh connection, full response validation, nothing
/// recorded) at a fixed concurrency against the simulator, which runs as its own process so its CPU is not counted.
/// <c>--record 1</c>: what recording costs. The probes run in the exporter host as the executable builds it (minus the
/// scheduler; the OpenTelemetry SDK collecting), over <c>--series</c> series in turn, and the rounds alternate between
/// <see cref="ProbeHandler.ExecuteAsync"/> (nothing recorded, as an on-demand probe) and <see cref="ProbeHandler.RunAsync"/>
/// (the circuit, then the store, health and metrics, as a scheduled probe).
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
        var record = args.Int("record", 0) == 1;
        var series = args.Int("series", 1);
        args.RejectUnknown();

        using var simulator = await SimulatorProcess.StartAsync();
        using var config = FleetConfig.Write("throughput", series, [simulator.TargetUrl("relay-a")], $"{{ {check}: {{ interval: 1h, timeout: 10s }} }}");
        if (record)
        {
            await CompareRecordingAsync(config.Path, concurrency, TimeSpan.FromSeconds(seconds), rounds);
            return;
        }
        using var rig = new ProbeRig(config.Path);
        var jobs = rig.Jobs;

        Console.WriteLine($"check {check}, concurrency {concurrency}, {rounds} rounds of {seconds} s after a 3 s warm-up");
        await RoundAsync(rig.Handler, jobs, recorded: false, concurrency, TimeSpan.FromSeconds(3));
        var rates = new List<double>();
        var cpuPerProbe = new List<double>();
        var allocatedPerProbe = new List<double>();
        var probesMeasured = 0;
        // Created only when asked: the runtime's allocation events cost CPU, which the figures above would include.
        using var sampler = allocationTypes > 0 ? new AllocationSampler { Sampling = true } : null;
        for (var round = 1; round <= rounds; round++)
        {
            var result = await RoundAsync(rig.Handler, jobs, recorded: false, concurrency, TimeSpan.FromSeconds(seconds));
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

    private static async Task CompareRecordingAsync(string configPath, int concurrency, TimeSpan duration, int rounds)
    {
        await using var app = await UnscheduledExporter.StartAsync(configPath, FleetConfig.Load(configPath));
        var handler = app.Services.GetRequiredService<ProbeHandler>();
        var jobs = ProbePlan.From(FleetConfig.Load(configPath));
        Console.WriteLine($"{jobs.Count} series, concurrency {concurrency}, {rounds} pairs of {duration.TotalSeconds} s rounds after a warm-up of each");
        // Every series recorded once first: the store, health and instruments hold them all, as in a running exporter.
        await RoundAsync(handler, jobs, recorded: true, concurrency, TimeSpan.FromSeconds(3), untilEverySeries: true);
        await RoundAsync(handler, jobs, recorded: false, concurrency, TimeSpan.FromSeconds(3));
        var cpu = new Dictionary<bool, List<double>> { [false] = [], [true] = [] };
        var allocated = new Dictionary<bool, List<double>> { [false] = [], [true] = [] };
        for (var round = 1; round <= rounds; round++)
            foreach (var recorded in new[] { false, true })
            {
                var result = await RoundAsync(handler, jobs, recorded, concurrency, duration);
                cpu[recorded].Add(result.Cpu.TotalMicroseconds / result.Probes);
                allocated[recorded].Add(result.Allocated / 1e3 / result.Probes);
                Console.WriteLine($"round {round} {(recorded ? "recorded (RunAsync)" : "not recorded (ExecuteAsync)")}: {result.Probes} probes ({result.Failed} failed); " +
                    $"{cpu[recorded][^1]:F0} µs CPU/probe, {allocated[recorded][^1]:F1} KB/probe");
            }
        var ratios = cpu[true].Zip(cpu[false], (a, b) => a / b).ToList();
        Console.WriteLine($"RESULT throughput recording: not recorded {Stats.Summary(cpu[false], "F0")} µs/probe, {Stats.Summary(allocated[false], "F1")} KB; " +
            $"recorded {Stats.Summary(cpu[true], "F0")} µs/probe, {Stats.Summary(allocated[true], "F1")} KB; recorded ÷ not, per pair: {Stats.Summary(ratios, "F2")}");
    }

    private static async Task<(int Probes, int Failed, TimeSpan Wall, TimeSpan Cpu, long Allocated)> RoundAsync(
        ProbeHandler handler, IReadOnlyList<ProbeJob> jobs, bool recorded, int concurrency, TimeSpan duration, bool untilEverySeries = false)
    {
        var process = Process.GetCurrentProcess();
        int probes = 0, failed = 0, next = -1;
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (wall.Elapsed < duration || (untilEverySeries && Volatile.Read(ref probes) < jobs.Count))
            {
                var job = jobs[Interlocked.Increment(ref next) % jobs.Count];
                var result = recorded ? await handler.RunAsync(job, CancellationToken.None) : await handler.ExecuteAsync(job, transcribe: false, CancellationToken.None);
                Interlocked.Increment(ref probes);
                if (!result.Succeeded) Interlocked.Increment(ref failed);
            }
        }));
        wall.Stop();
        process.Refresh();
        return (probes, failed, wall.Elapsed, process.TotalProcessorTime - cpu, GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }
}
