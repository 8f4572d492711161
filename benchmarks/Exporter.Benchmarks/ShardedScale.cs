using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RelayExporter.Benchmarks.Infrastructure;

namespace RelayExporter.Benchmarks;

/// <summary>
/// Sharding is linear: N relay-exporter replicas (Release build), each <c>--shard.index i --shard.count N</c> of one
/// configuration of N × 10,000 series (relay targets × {health, models} at 30 s), against the relay-simulator, with one
/// real Prometheus scraping them all every 15 s. In the same run, first one replica alone with 10,000 series (an
/// unsharded configuration of that size), scraped by the same Prometheus. For each: average CPU over the window (% of
/// one core, /proc) and median resident memory; then each replica's CPU per series against the lone replica's.
/// Prometheus's answer at the end proves the split, over the window: every target's series come from exactly one
/// replica. It also says how many of its scrapes finished within the timeout: on 2 cores beside four replicas, not all do.
/// </summary>
public static class ShardedScale
{
    private static readonly TimeSpan RssInterval = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(Arguments args)
    {
        var replicas = args.Int("replicas", 4);
        var series = args.Int("series", 10_000);
        var interval = args.Int("interval", 30);
        var warmup = TimeSpan.FromSeconds(args.Int("warmup", 60));
        var window = TimeSpan.FromSeconds(args.Int("seconds", 120));
        args.RejectUnknown();

        using var simulator = await SimulatorProcess.StartAsync();
        var urls = new[] { simulator.TargetUrl("relay-a"), simulator.TargetUrl("relay-b") };
        var checks = $"{{ health: {{ interval: {interval}s }}, models: {{ interval: {interval}s }} }}";
        Console.WriteLine($"simulator pid {simulator.Process.Id}; {replicas} replicas × {series} series every {interval} s; warm-up {warmup.TotalSeconds} s, window {window.TotalSeconds} s");

        Measured alone;
        using (var config = FleetConfig.Write("alone", series / 2, urls, checks))
        {
            var exporter = await StartExporterAsync(config.Path, []);
            using (exporter.Process)
            using (var prometheus = await PrometheusProcess.StartAsync([exporter.Address]))
            {
                var measured = await MeasureAsync([exporter.Process, prometheus.Process, simulator.Process], [exporter.Address], warmup, window);
                alone = measured[0];
                Console.WriteLine($"RESULT shards alone: 1 replica, {alone.Series} series: CPU {alone.CpuPercent:F1} % of one core ({alone.Probes:F0} probes, {alone.MicrosecondsPerProbe:F0} µs/probe), RSS median {alone.RssMb:F0} MB; " +
                    $"Prometheus CPU {measured[1].CpuPercent:F1} %, simulator CPU {measured[2].CpuPercent:F1} %");
            }
        }

        using var fleet = FleetConfig.Write("fleet", replicas * series / 2, urls, checks);
        var shards = new List<(ChildProcess Process, string Address)>();
        try
        {
            // One after another: each reads and validates the whole fleet's configuration before it serves.
            for (var i = 0; i < replicas; i++)
                shards.Add(await StartExporterAsync(fleet.Path, ["--shard.index", i.ToString(CultureInfo.InvariantCulture), "--shard.count", replicas.ToString(CultureInfo.InvariantCulture)]));
            using var prometheus = await PrometheusProcess.StartAsync(shards.Select(s => s.Address).ToList());
            var measured = await MeasureAsync([.. shards.Select(s => s.Process), prometheus.Process, simulator.Process], shards.Select(s => s.Address).ToList(), warmup, window);
            for (var i = 0; i < replicas; i++)
            {
                var m = measured[i];
                Console.WriteLine($"RESULT shards replica {i}/{replicas}: {m.Series} series: CPU {m.CpuPercent:F1} % of one core ({m.Probes:F0} probes, {m.MicrosecondsPerProbe:F0} µs/probe), " +
                    $"RSS median {m.RssMb:F0} MB; against the lone replica: CPU per probe {m.MicrosecondsPerProbe / alone.MicrosecondsPerProbe:F2}×, RSS {m.RssMb / alone.RssMb:F2}×");
            }
            Console.WriteLine($"RESULT shards Prometheus ({replicas} replicas): CPU {measured[replicas].CpuPercent:F1} % of one core, RSS median {measured[replicas].RssMb:F0} MB; " +
                $"simulator CPU {measured[replicas + 1].CpuPercent:F1} %");
            var total = replicas * series / 2;
            // Over the window, not at an instant: a scrape that timed out marks its replica's series stale, and an
            // instant query would then miss them. last_over_time keeps every series that had a sample in the window.
            var range = $"{(int)window.TotalSeconds}s";
            var distinct = await prometheus.QueryScalarAsync($"count(count by (target) (last_over_time(relay_probe_success{{check=\"health\"}}[{range}])))");
            var twice = await prometheus.QueryScalarAsync($"count(count by (target) (last_over_time(relay_probe_success{{check=\"health\"}}[{range}])) > 1)");
            Console.WriteLine($"RESULT shards split: {total} targets configured; over the last {range} Prometheus saw {distinct:F0} distinct targets, " +
                $"{twice:F0} of them from more than one replica");
            // What it costs Prometheus on this machine: scrapes that did not finish within the 14 s timeout.
            foreach (var shard in shards)
            {
                var instance = $"instance=\"{shard.Address}\"";
                var scraped = await prometheus.QueryScalarAsync($"sum_over_time(up{{{instance}}}[{range}])");
                var attempted = await prometheus.QueryScalarAsync($"count_over_time(up{{{instance}}}[{range}])");
                var slowest = await prometheus.QueryScalarAsync($"max_over_time(scrape_duration_seconds{{{instance}}}[{range}])");
                Console.WriteLine($"RESULT shards scrapes of {shard.Address}: {scraped:F0} of {attempted:F0} succeeded, slowest {slowest:F1} s");
            }
        }
        finally
        {
            foreach (var shard in shards) shard.Process.Dispose();
        }
    }

    private sealed record Measured(double CpuPercent, double RssMb, double Probes, int Series, TimeSpan Cpu)
    {
        public double MicrosecondsPerProbe => Cpu.TotalMicroseconds / Probes;
    }

    /// <returns>The process and its address, <c>127.0.0.1:PORT</c> (as Prometheus names a target).</returns>
    private static async Task<(ChildProcess Process, string Address)> StartExporterAsync(string config, IEnumerable<string> extra)
    {
        var (process, url) = await ExporterProcess.StartAsync(config, extra, TimeSpan.FromMinutes(5));
        return (process, new Uri(url).Authority);
    }

    /// <summary>
    /// After the warm-up, each process's average CPU over the window and its median RSS sampled every 5 s; for the
    /// exporters (the first <paramref name="exporters"/>.Count processes) also the probes they ran in the window and
    /// their probe series, from a scrape at its start and its end.
    /// </summary>
    private static async Task<List<Measured>> MeasureAsync(IReadOnlyList<ChildProcess> processes, IReadOnlyList<string> exporters, TimeSpan warmup, TimeSpan window)
    {
        await Task.Delay(warmup);
        using var client = PrometheusScraper.Create(TimeSpan.FromSeconds(120));
        // Each exporter's CPU is read as its scrape returns, so that its probes and its CPU span the same time even when
        // a scrape takes seconds on a saturated machine.
        var before = await Task.WhenAll(exporters.Select((e, i) => ReadingAsync(client, e, processes[i])));
        var cpu = processes.Skip(exporters.Count).Select(p => p.Cpu).ToList();
        var rss = processes.Select(_ => new List<double>()).ToList();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < window)
        {
            for (var i = 0; i < processes.Count; i++) rss[i].Add(processes[i].Rss / 1e6);
            await Task.Delay(RssInterval);
        }
        var elapsed = clock.Elapsed;
        var others = processes.Skip(exporters.Count).Select((p, i) => p.Cpu - cpu[i]).ToList();
        var after = await Task.WhenAll(exporters.Select((e, i) => ReadingAsync(client, e, processes[i])));
        return processes.Select((p, i) =>
        {
            if (i >= exporters.Count) return new Measured(others[i - exporters.Count] / elapsed * 100, Stats.Median(rss[i]), 0, 0, others[i - exporters.Count]);
            var (used, span) = (after[i].Cpu - before[i].Cpu, after[i].At - before[i].At);
            var probes = new ScrapeText(after[i].Text).Sum("relay_probes_total") - new ScrapeText(before[i].Text).Sum("relay_probes_total");
            var series = after[i].Text.Split('\n').Count(l => l.StartsWith("relay_probe_success{", StringComparison.Ordinal));
            return new Measured(used / span * 100, Stats.Median(rss[i]), probes, series, used);
        }).ToList();
    }

    private static async Task<(string Text, TimeSpan Cpu, TimeSpan At)> ReadingAsync(HttpClient client, string exporter, ChildProcess process)
    {
        var text = await ScrapeAsync(client, exporter);
        return (text, process.Cpu, Stopwatch.GetElapsedTime(Started));
    }

    private static readonly long Started = Stopwatch.GetTimestamp();

    /// <summary>
    /// One scrape, tried up to three times: on a saturated machine a collection can overrun the exporter's 10 s limit
    /// (it answers 500), and the count of probes is what is wanted here. Each failure is printed.
    /// </summary>
    private static async Task<string> ScrapeAsync(HttpClient client, string exporter)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await client.GetAsync($"http://{exporter}/metrics");
            if (response.IsSuccessStatusCode || attempt == 3) return await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync();
            Console.WriteLine($"scrape of {exporter} answered {(int)response.StatusCode}; trying again");
        }
    }

    /// <summary>The distribution's prometheus binary scraping the given exporters every 15 s, on a free port, in a temporary directory.</summary>
    private sealed class PrometheusProcess : IDisposable
    {
        private readonly string _directory;
        private readonly string _url;

        private PrometheusProcess(ChildProcess process, string directory, string url) => (Process, _directory, _url) = (process, directory, url);

        public ChildProcess Process { get; }

        public static async Task<PrometheusProcess> StartAsync(IReadOnlyList<string> exporters)
        {
            var directory = Directory.CreateTempSubdirectory("relay-bench-prometheus-").FullName;
            var config = Path.Combine(directory, "prometheus.yml");
            await File.WriteAllTextAsync(config, $"""
                global: {"{"} scrape_interval: 15s, scrape_timeout: 14s {"}"}
                scrape_configs:
                  - job_name: relay-exporter
                    static_configs:
                      - targets: [{string.Join(", ", exporters.Select(e => $"'{e}'"))}]
                """);
            var url = $"http://127.0.0.1:{Paths.FreePort()}";
            var process = await ChildProcess.StartServingAsync("/usr/bin/prometheus",
                [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}", $"--web.listen-address={new Uri(url).Authority}", "--log.level=warn"],
                url + "/-/ready");
            return new PrometheusProcess(process, directory, url);
        }

        public async Task<double> QueryScalarAsync(string query)
        {
            using var document = JsonDocument.Parse(await QueryAsync(query));
            return document.RootElement.GetArrayLength() == 0 ? 0 : double.Parse(document.RootElement[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
        }

        /// <summary>An instant query's result, as the JSON array of its samples.</summary>
        public async Task<string> QueryAsync(string query)
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            using var document = JsonDocument.Parse(await client.GetStringAsync($"{_url}/api/v1/query?query={Uri.EscapeDataString(query)}"));
            return document.RootElement.GetProperty("data").GetProperty("result").GetRawText();
        }

        public void Dispose()
        {
            Process.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
