using System.Collections.Concurrent;
using System.Diagnostics;
using RelayExporter.Benchmarks.Infrastructure;
using RelayExporter.Probing;

namespace RelayExporter.Benchmarks;

/// <summary>
/// Whether the measured latency is honest (the upstream's delay plus little of our own): 1,000 probe series (models check; each series its own target, spread over the
/// simulator's three OpenAI-compatible targets) run in-process, each once per interval at a start spread over the
/// interval as the scheduler spreads them. The simulator holds every response for exactly L ms (<c>slow</c> fault).
/// For every probe: reported duration − L, and first_byte phase − L (first byte excludes the connect). L = 0 (no
/// fault) is the baseline: what a probe costs on this machine besides the injected delay. <c>--client raw</c> is the
/// control: the same schedule with a bare <see cref="HttpClient"/> GET (fresh connection) timed by a stopwatch, to tell
/// the exporter's error from what this machine and the simulator add to any client.
/// </summary>
public static class LatencyHonesty
{
    private static readonly string[] Targets = ["relay-a", "relay-b", "openai"];

    public static async Task RunAsync(Arguments args)
    {
        var series = args.Int("series", 1000);
        var interval = TimeSpan.FromSeconds(args.Int("interval", 5));
        var duration = TimeSpan.FromSeconds(args.Int("seconds", 30));
        var delays = args.Ints("delays", "0,50,250,1000");
        var raw = args.String("client", "exporter") == "raw";
        args.RejectUnknown();

        using var simulator = await SimulatorProcess.StartAsync();
        using var config = FleetConfig.Write("latency", series, Targets.Select(simulator.TargetUrl).ToList(),
            $"{{ models: {{ interval: {interval.TotalSeconds}s, timeout: {interval.TotalSeconds}s }} }}");
        using var rig = new ProbeRig(config.Path);

        using var bare = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        Func<ProbeJob, Task<(bool Succeeded, TimeSpan Duration, TimeSpan FirstByte)>> probe = raw
            ? job => RawGetAsync(bare, job)
            : async job =>
            {
                var result = await rig.Handler.ExecuteAsync(job, transcribe: false, CancellationToken.None);
                return (result.Succeeded, result.Duration, result.Trace?.FirstByte ?? TimeSpan.Zero);
            };

        Console.WriteLine($"{(raw ? "bare HttpClient (control)" : "exporter probes")}: {series} series, each probed every {interval.TotalSeconds} s " +
            $"({series / interval.TotalSeconds:F0} probes/s), {duration.TotalSeconds} s per delay; values in ms");
        await RunSeriesAsync(rig.Jobs, probe, TimeSpan.FromSeconds(1), interval); // warm-up: JIT, thread pool
        double? baseline = null;
        foreach (var delay in delays)
        {
            await simulator.ClearFaultsAsync();
            foreach (var target in Targets)
                if (delay > 0) await simulator.SetSlowAsync(target, delay);

            var results = await RunSeriesAsync(rig.Jobs, probe, duration, interval);
            var succeeded = results.Where(r => r.Succeeded).ToList();
            var total = succeeded.Select(r => r.Duration.TotalMilliseconds - delay).ToList();
            var firstByte = succeeded.Select(r => r.FirstByte.TotalMilliseconds - delay).ToList();
            baseline ??= delay == 0 ? Stats.Median(total) : null;
            var above = baseline is { } b ? $"; above baseline median {Stats.Median(total) - b:F2}, p99 {Stats.Percentile(total, 99) - b:F2}" : "";
            Console.WriteLine($"RESULT latency{(raw ? " control" : "")} L={delay} ms: {succeeded.Count} probes ({results.Count - succeeded.Count} failed); " +
                $"duration−L median {Stats.Median(total):F2}, p99 {Stats.Percentile(total, 99):F2}, max {total.Max():F2}; " +
                $"first_byte−L median {Stats.Median(firstByte):F2}, p99 {Stats.Percentile(firstByte, 99):F2}{above}");
        }
    }

    /// <summary>Every job probed once per interval from a start spread over the interval, until <paramref name="duration"/> has passed.</summary>
    private static async Task<List<T>> RunSeriesAsync<T>(IReadOnlyList<ProbeJob> jobs, Func<ProbeJob, Task<T>> probe, TimeSpan duration, TimeSpan interval)
    {
        var results = new ConcurrentBag<T>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(jobs.Select(async (job, i) =>
        {
            for (var due = interval * i / jobs.Count; due < duration; due += interval)
            {
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                results.Add(await probe(job));
            }
        }));
        return results.ToList();
    }

    /// <summary>The control: the models request with nothing of the exporter around it.</summary>
    private static async Task<(bool, TimeSpan, TimeSpan)> RawGetAsync(HttpClient client, ProbeJob job)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(job.Target.BaseUri, "v1/models"));
        request.Headers.Authorization = new("Bearer", FleetConfig.CredentialValue);
        request.Headers.ConnectionClose = true;
        var started = Stopwatch.GetTimestamp();
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var firstByte = Stopwatch.GetElapsedTime(started);
        await response.Content.ReadAsByteArrayAsync();
        return (response.IsSuccessStatusCode, Stopwatch.GetElapsedTime(started), firstByte);
    }
}
