using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using RelayExporter.Benchmarks.Infrastructure;

namespace RelayExporter.Benchmarks;

/// <summary>
/// A long run under attack: the relay-exporter executable with 1,000 probe series (250 relay targets × health, models,
/// chat, stream), a fifth of the targets hostile (<see cref="HostileUpstream"/>: each goes through every hostile
/// behaviour in turn), the rest the simulator. After a warm-up, for the length of the soak, scraped as Prometheus
/// scrapes every 15 s: resident memory every 5 s (its growth from the first to the last fifth of the soak), how long
/// each scrape took, the schedule lag p99 over the soak (relay_exporter_schedule_lag_seconds), every log line that
/// says an exception went unhandled or a probe failed unexpectedly, and whether any 8 characters of the hostile
/// targets' key appeared in a log line, a scrape, /api/v1/targets or the status page, and whether a log line was forged
/// by an upstream or carries its raw control characters.
/// </summary>
public static class Soak
{
    private const string HostileKeyVariable = "SOAK_HOSTILE_KEY";
    private const string Lag = "relay_exporter_schedule_lag_seconds";
    private static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RssInterval = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(Arguments args)
    {
        var series = args.Int("series", 1_000);
        var hostilePercent = args.Int("hostile-percent", 20);
        var minutes = args.Int("minutes", 30);
        // Long enough for every hostile target to have gone through every behaviour (12 × the rotation): the outcomes
        // and reasons they produce are series and strings the exporter keeps, which must not count as growth.
        var warmup = TimeSpan.FromSeconds(args.Int("warmup", 480));
        var rotation = TimeSpan.FromSeconds(args.Int("rotation", 30));
        args.RejectUnknown();

        var targets = series / 4;
        var hostile = targets * hostilePercent / 100;
        var key = "sk-soak-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(20)).ToLowerInvariant();
        using var simulator = await SimulatorProcess.StartAsync();
        await using var upstream = HostileUpstream.Start(rotation);
        using var config = TempFile.Write("soak", Configuration(targets, hostile, simulator, upstream));
        var url = $"http://127.0.0.1:{Paths.FreePort()}";
        using var exporter = await ChildProcess.StartServingAsync(Paths.Exporter,
            ["--config.file", config.Path, "--web.listen-address", new Uri(url).Authority, "--log.level", "info"], url + "/-/ready",
            new Dictionary<string, string> { [HostileKeyVariable] = key });
        var log = new LogWatch(key);
        exporter.LineReceived += log.Observe;
        Console.WriteLine($"exporter pid {exporter.Id}: {targets * 4} series, {hostile} of {targets} targets hostile " +
            $"({HostileUpstream.Behaviours.Count} behaviours, the next every {rotation.TotalSeconds:F0} s); warm-up {warmup.TotalSeconds:F0} s, soak {minutes} min");
        await Task.Delay(warmup);

        using var client = PrometheusScraper.Create(TimeSpan.FromSeconds(30));
        var leaks = new List<string>();
        var first = await ScrapeAsync(client, url, key, leaks);
        var (rss, scrapeTimes) = (new List<(TimeSpan At, double Mb)>(), new List<double>());
        var clock = Stopwatch.StartNew();
        var soak = TimeSpan.FromMinutes(minutes);
        var nextScrape = ScrapeInterval;
        var last = first.Text;
        while (clock.Elapsed < soak)
        {
            if (exporter.HasExited) throw new InvalidOperationException($"the exporter exited during the soak: {exporter.Output}");
            rss.Add((clock.Elapsed, exporter.Rss / 1e6));
            await Task.Delay(RssInterval);
            if (clock.Elapsed < nextScrape) continue;
            var scrape = await ScrapeAsync(client, url, key, leaks);
            scrapeTimes.Add(scrape.Milliseconds);
            last = scrape.Text;
            nextScrape += ScrapeInterval;
            if (scrapeTimes.Count % 20 == 0)
                Console.WriteLine($"{clock.Elapsed:hh\\:mm\\:ss} RSS {rss[^1].Mb:F0} MB, scrape {scrape.Milliseconds:F0} ms, {upstream.Requests} hostile requests, " +
                    $"{log.Unexpected} unexpected log lines");
        }
        foreach (var page in new[] { "/api/v1/targets", "/" })
            LeakCheck.Find(await client.GetStringAsync(url + page), key, page, leaks);

        var fifth = soak / 5;
        var early = Stats.Median(rss.Where(r => r.At < fifth).Select(r => r.Mb).ToList());
        var late = Stats.Median(rss.Where(r => r.At >= soak - fifth).Select(r => r.Mb).ToList());
        var (firstScrape, lastScrape) = (new ScrapeText(first.Text), new ScrapeText(last));
        var probes = lastScrape.Sum("relay_probes_total") - firstScrape.Sum("relay_probes_total");
        Console.WriteLine($"RESULT soak RSS: median {early:F0} MB in the first fifth, {late:F0} MB in the last fifth: {(late - early) / early * 100:+0.0;-0.0} %; max {rss.Max(r => r.Mb):F0} MB");
        Console.WriteLine($"RESULT soak scrape (OpenMetrics, gzip, every 15 s): median {Stats.Median(scrapeTimes):F0} ms, max {scrapeTimes.Max():F0} ms, " +
            $"{scrapeTimes.Count(t => t >= 1000)} of {scrapeTimes.Count} at 1 s or more");
        Console.WriteLine($"RESULT soak schedule lag: p50 {ScrapeText.Quantile(0.5, firstScrape.Buckets(Lag), lastScrape.Buckets(Lag)) * 1000:F1} ms, " +
            $"p99 {ScrapeText.Quantile(0.99, firstScrape.Buckets(Lag), lastScrape.Buckets(Lag)) * 1000:F1} ms over {probes:F0} probes; " +
            $"{upstream.Requests} requests answered by the hostile upstream");
        Console.WriteLine($"RESULT soak unexpected log lines (unhandled exceptions, probes that failed unexpectedly, stack traces): {log.Unexpected}" +
            (log.FirstUnexpected is { } example ? $"; the first: {example}" : ""));
        Console.WriteLine($"RESULT soak forged log lines or raw control characters in the log: {log.Forged}" +
            (log.FirstForged is { } forged ? $"; the first: {forged}" : ""));
        Console.WriteLine($"RESULT soak key fragments seen (log, /metrics, /api/v1/targets, /): {log.Leaks + leaks.Count}" +
            ((log.FirstLeak ?? leaks.FirstOrDefault()) is { } where ? $"; the first in {where}" : ""));
    }

    private static string Configuration(int targets, int hostile, SimulatorProcess simulator, HostileUpstream upstream)
    {
        var yaml = new StringBuilder("""
            defaults:
              checks:
                health: { interval: 15s }
                models: { interval: 15s }
                chat:   { interval: 30s, timeout: 10s }
                stream: { interval: 30s, timeout: 10s }
            targets:

            """);
        for (var i = 0; i < targets; i++)
        {
            // Hostile targets are spread through the fleet, so their probes interleave with everyone else's.
            var isHostile = i % (targets / Math.Max(1, hostile)) == 0 && i / (targets / Math.Max(1, hostile)) < hostile;
            yaml.Append($"  - name: {(isHostile ? "hostile" : "relay")}-{i:D4}\n")
                .Append("    kind: relay\n")
                .Append("    protocol: openai\n")
                .Append($"    base_url: {(isHostile ? upstream.BaseUrl(i) : simulator.TargetUrl(i % 2 == 0 ? "relay-a" : "relay-b"))}\n")
                .Append($"    credential: {{ env: {(isHostile ? HostileKeyVariable : FleetConfig.CredentialVariable)} }}\n")
                .Append("    models: [gpt-4.1]\n")
                .Append("    checks: { health: {}, models: {}, chat: {}, stream: {} }\n");
        }
        return yaml.ToString();
    }

    private static async Task<(string Text, double Milliseconds)> ScrapeAsync(HttpClient client, string url, string key, List<string> leaks)
    {
        var started = Stopwatch.GetTimestamp();
        var text = await client.GetStringAsync(url + "/metrics");
        var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        LeakCheck.Find(text, key, "/metrics", leaks);
        return (text, milliseconds);
    }

    /// <summary>Counts the exporter's log lines that must never appear: unexpected failures, and the key or a piece of it.</summary>
    private sealed class LogWatch(string key)
    {
        private int _unexpected;
        private int _leaks;
        private int _forged;

        public int Unexpected => Volatile.Read(ref _unexpected);
        public int Forged => Volatile.Read(ref _forged);
        public int Leaks => Volatile.Read(ref _leaks);
        public string? FirstUnexpected { get; private set; }
        public string? FirstLeak { get; private set; }
        public string? FirstForged { get; private set; }

        public void Observe(string line)
        {
            if (line.Contains("Unhandled", StringComparison.OrdinalIgnoreCase) || line.Contains("unexpectedly", StringComparison.Ordinal)
                || line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)
                || line.TrimStart().StartsWith("at ", StringComparison.Ordinal))
            {
                if (Interlocked.Increment(ref _unexpected) == 1) FirstUnexpected = line;
            }
            // A line of the upstream's own (after a newline it sent) starts as its forged text does, not with our
            // timestamp; raw control characters (ESC, NUL) would drive the operator's terminal. Escaped, both stay
            // harmless text inside our own line.
            var forged = line.StartsWith(HostileUpstream.ForgedLogLine, StringComparison.Ordinal) || line.Any(c => char.IsControl(c) && c != '\t');
            if (forged && Interlocked.Increment(ref _forged) == 1) FirstForged = line;
            var found = new List<string>();
            LeakCheck.Find(line, key, "the log", found);
            if (found.Count > 0 && Interlocked.Increment(ref _leaks) == 1) FirstLeak = $"the log: {line}";
        }
    }

    private static class LeakCheck
    {
        private const int Fragment = 8;

        /// <summary>Adds <paramref name="where"/> to <paramref name="leaks"/> when any 8 characters of the key's secret part appear in the text.</summary>
        public static void Find(string text, string key, string where, List<string> leaks)
        {
            var secret = key["sk-soak-".Length..];
            for (var i = 0; i + Fragment <= secret.Length; i++)
            {
                if (!text.Contains(secret.AsSpan(i, Fragment), StringComparison.Ordinal)) continue;
                leaks.Add(where);
                return;
            }
        }
    }
}
