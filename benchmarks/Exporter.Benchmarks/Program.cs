using RelayExporter.Benchmarks;
using RelayExporter.Benchmarks.Infrastructure;

// Each subcommand is one measurement of a performance or reliability target; benchmarks/README.md says what each measures and how to read it.
const string Usage = """
    usage: Exporter.Benchmarks <benchmark> [--option value ...]
      throughput   probes per second and CPU per probe, in-process (--check models|stream)
      blackbox     CPU per probe: blackbox_exporter's /probe against ours, same HTTP GET, same client
      latency      reported duration minus an injected delay, 1,000 probe series
      render       /metrics render time and memory with 10,000 series, in-process
      scale        the relay-exporter executable with 10,000 series at 30 s: CPU, RSS, schedule lag, scrape time
      scrape-pair  scrape time and CPU of this build against a peer build (--peer PATH), side by side, 10,000 series each
      scheduled-vs-ondemand  CPU per probe of 10,000 scheduled series against /probe at the same rate, in one run
      shards       4 sharded replicas × 10,000 series beside one Prometheus, against one replica alone: CPU, RSS
      detection    time from a hard outage to unhealthy and circuit open with default settings, and back
      startup      time from starting the relay-exporter executable to ready, with 5,000 targets
      soak         30 minutes, 1,000 series, a fifth of the targets hostile: memory growth, scrape time, lag, leaks
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

var options = new Arguments(args[1..]);
Func<Arguments, Task> benchmark = args[0] switch
{
    "throughput" => ProbeThroughput.RunAsync,
    "blackbox" => BlackboxComparison.RunAsync,
    "latency" => LatencyHonesty.RunAsync,
    "render" => ScrapeRender.RunAsync,
    "scale" => SchedulerScale.RunAsync,
    "scrape-pair" => ScrapePair.RunAsync,
    "scheduled-vs-ondemand" => ScheduledVersusOnDemand.RunAsync,
    "shards" => ShardedScale.RunAsync,
    "detection" => DetectionTime.RunAsync,
    "startup" => StartupTime.RunAsync,
    "soak" => Soak.RunAsync,
    _ => _ => throw new ArgumentException($"unknown benchmark '{args[0]}'\n{Usage}"),
};
Console.WriteLine($"# {args[0]} on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, .NET {Environment.Version}");
await benchmark(options);
return 0;
