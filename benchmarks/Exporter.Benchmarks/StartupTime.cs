using System.Diagnostics;
using RelayExporter.Benchmarks.Infrastructure;

namespace RelayExporter.Benchmarks;

/// <summary>
/// How long the relay-exporter executable takes from its start to answering /-/ready with a large fleet (5,000 relay
/// targets × {health, models} by default): reading, binding and validating the configuration, building the host.
/// The targets point at a closed loopback port; nothing needs to answer them.
/// </summary>
public static class StartupTime
{
    public static async Task RunAsync(Arguments args)
    {
        var targets = args.Int("targets", 5_000);
        var rounds = args.Int("rounds", 3);
        args.RejectUnknown();

        using var config = FleetConfig.Write("startup", targets, [$"http://127.0.0.1:{Paths.FreePort()}"],
            "{ health: { interval: 30s }, models: { interval: 30s } }");
        var times = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var started = Stopwatch.GetTimestamp();
            using var exporter = (await ExporterProcess.StartAsync(config.Path)).Process;
            times.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            Console.WriteLine($"round {round + 1}: ready after {times[^1]:F2} s");
        }
        Console.WriteLine($"RESULT startup {targets} targets: ready after {Stats.Summary(times, "F2")} s");
    }
}
