using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using RelayExporter.Benchmarks.Infrastructure;
using RelayExporter.Hosting;
using RelayExporter.Probing;

namespace RelayExporter.Benchmarks;

/// <summary>
/// The /metrics decision: our serializer and OpenTelemetry.Exporter.Prometheus.AspNetCore side by side in one process,
/// on one MeterProvider (a reader each), over the same 10,000 probed series. Scrapes alternate between the two so that
/// the machine's noise falls on both alike; the figures are reported with their ratio. Then each body goes through
/// promtool check metrics, and a real Prometheus scrapes both with OpenMetrics.
/// </summary>
public static partial class EndpointComparison
{
    private static readonly (string Name, string Accept, bool Gzip)[] Formats =
    [
        ("text 0.0.4", "text/plain;version=0.0.4", false),
        ("OpenMetrics", "application/openmetrics-text;version=1.0.0", false),
        ("text 0.0.4 gzip", "text/plain;version=0.0.4", true),
        ("OpenMetrics gzip", "application/openmetrics-text;version=1.0.0", true),
    ];

    private static readonly (string Name, string Path)[] Endpoints = [("ours", "/metrics"), ("official", "/metrics-official")];

    public static async Task RunAsync(Arguments args)
    {
        var series = args.Int("series", 10_000);
        var scrapes = args.Int("scrapes", 20);
        var warmup = args.Int("warmup", 10);
        // Off by default, as our endpoint serves them (the metrics contract has no otel_scope_* labels).
        var scopeLabels = args.Int("official-scope-labels", 0) == 1;
        args.RejectUnknown();

        using var simulator = await SimulatorProcess.StartAsync();
        using var config = FleetConfig.Write("endpoint", series / 2, [simulator.TargetUrl("relay-a"), simulator.TargetUrl("relay-b")],
            "{ health: { interval: 30s }, models: { interval: 30s } }");
        var options = FleetConfig.Load(config.Path);
        await using var app = ExporterApp.Build(new CommandLine { ListenAddress = "127.0.0.1:0", LogLevel = LogLevel.Warning }, config.Path, options,
            builder =>
            {
                builder.Services.Remove(builder.Services.Single(d => d.ImplementationType == typeof(ProbeScheduler)));
                // No response cache (its default is 300 ms): every scrape collects and renders, as ours does.
                builder.Services.ConfigureOpenTelemetryMeterProvider(metrics =>
                    metrics.AddPrometheusExporter(o =>
                    {
                        o.ScrapeResponseCacheDurationMilliseconds = 0;
                        o.ScopeInfoEnabled = scopeLabels;
                    }));
            });
        app.MapPrometheusScrapingEndpoint("/metrics-official");
        await app.StartAsync();
        var baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var jobs = ProbePlan.From(options);
        var handler = app.Services.GetRequiredService<ProbeHandler>();
        await Parallel.ForEachAsync(jobs, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (job, ct) => await handler.RunAsync(job, ct));
        Console.WriteLine($"{jobs.Count} series probed once; {scrapes} timed scrapes per endpoint and format after {warmup} warm-up, alternating; official exporter's scope labels {(scopeLabels ? "on" : "off")}");

        using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.None });
        var sink = new byte[1 << 20];
        foreach (var (format, accept, gzip) in Formats)
        {
            var samples = Endpoints.ToDictionary(e => e.Name, _ => new Samples());
            for (var i = -warmup; i < scrapes; i++)
                // Alternate which goes first, so neither always follows the other's garbage.
                foreach (var (name, path) in i % 2 == 0 ? Endpoints : Endpoints.Reverse())
                {
                    var scrape = await ScrapeAsync(client, baseUrl + path, accept, gzip, sink);
                    if (scrape is null) Console.WriteLine($"  {name} {format}: scrape failed (500: the collection timed out?)");
                    else if (i >= 0) samples[name].Add(scrape);
                }

            foreach (var (name, _) in Endpoints)
            {
                var s = samples[name];
                Console.WriteLine($"RESULT endpoint {format} {name}: median {Stats.Median(s.Times):F1} ms, p95 {Stats.Percentile(s.Times, 95):F1} ms, " +
                    $"CPU {Stats.Median(s.Cpu):F0} ms, allocated {Stats.Median(s.Allocated):F1} MB per scrape; {s.Bytes / 1e6:F2} MB, " +
                    $"Content-Encoding {s.Encoding ?? "none"}, {s.ContentType}");
            }
            var (ours, official) = (samples["ours"], samples["official"]);
            Console.WriteLine($"RESULT endpoint {format} official/ours: median {Stats.Median(official.Times) / Stats.Median(ours.Times):F2}x, " +
                $"p95 {Stats.Percentile(official.Times, 95) / Stats.Percentile(ours.Times, 95):F2}x, CPU {Stats.Median(official.Cpu) / Stats.Median(ours.Cpu):F2}x, " +
                $"allocated {Stats.Median(official.Allocated) / Math.Max(0.01, Stats.Median(ours.Allocated)):F2}x, bytes {official.Bytes / (double)ours.Bytes:F2}x");
        }

        await CompareContentAsync(client, baseUrl);
        await CheckWithPrometheusAsync(baseUrl);
    }

    /// <returns>Null when the endpoint answered with an error.</returns>
    private static async Task<Scrape?> ScrapeAsync(HttpClient client, string url, string accept, bool gzip, byte[] sink)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        if (gzip) request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        var started = Stopwatch.GetTimestamp();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode) return null;
        await using var body = await response.Content.ReadAsStreamAsync();
        var length = 0;
        for (int read; (read = await body.ReadAsync(sink)) > 0;) length += read;
        return new Scrape(Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds,
            (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1e6, length,
            response.Content.Headers.ContentEncoding.FirstOrDefault(), response.Content.Headers.ContentType?.ToString() ?? "");
    }

    /// <summary>What our metrics contract needs that the official exporter may change: family names, labels, target_info.</summary>
    private static async Task CompareContentAsync(HttpClient client, string baseUrl)
    {
        const string openMetrics = "application/openmetrics-text;version=1.0.0";
        var bodies = new Dictionary<string, string>();
        foreach (var (name, path) in Endpoints)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl + path);
            request.Headers.TryAddWithoutValidation("Accept", openMetrics);
            using var response = await client.SendAsync(request);
            bodies[name] = await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync();
        }

        var families = bodies.ToDictionary(b => b.Key, b => TypeLine().Matches(b.Value).Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}").ToHashSet());
        Console.WriteLine($"RESULT endpoint families (OpenMetrics): ours {families["ours"].Count}, official {families["official"].Count}");
        Console.WriteLine("  only ours:     " + string.Join(", ", families["ours"].Except(families["official"]).Order()));
        Console.WriteLine("  only official: " + string.Join(", ", families["official"].Except(families["ours"]).Order()));
        foreach (var (name, body) in bodies)
        {
            var lines = body.Split('\n');
            var samples = lines.Count(l => l.Length > 0 && l[0] != '#');
            Console.WriteLine($"  {name}: {samples} samples, {lines.Count(l => l.Contains("otel_scope_name=", StringComparison.Ordinal))} with otel_scope_name, " +
                $"{lines.Count(l => l.Contains("otel_metric_overflow", StringComparison.Ordinal))} overflow series, " +
                $"target_info: {lines.FirstOrDefault(l => l.StartsWith("target_info", StringComparison.Ordinal)) ?? "(none)"}");
            Console.WriteLine($"  {name} example: {lines.FirstOrDefault(l => l.StartsWith("relay_probes_total{", StringComparison.Ordinal))}");
            // promtool reads the Prometheus text format only (an OpenMetrics info type stops it at line 1).
            using var textRequest = new HttpRequestMessage(HttpMethod.Get, baseUrl + Endpoints.Single(e => e.Name == name).Path);
            textRequest.Headers.TryAddWithoutValidation("Accept", "text/plain;version=0.0.4");
            using var textResponse = await client.SendAsync(textRequest);
            var (exit, output) = await RunAsync("promtool", ["check", "metrics"], await textResponse.EnsureSuccessStatusCode().Content.ReadAsStringAsync());
            var problems = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Console.WriteLine($"RESULT endpoint promtool check metrics {name} (text 0.0.4): exit {exit}, {problems.Length} problem lines" +
                (problems.Length > 0 ? ": " + string.Join(" | ", problems.Take(5)) : ""));
        }
    }

    /// <summary>
    /// A real Prometheus scrapes both endpoints; reports up and the samples each scrape stored. The Debian package's
    /// Prometheus has no scrape_protocols setting; it asks for OpenMetrics first on its own.
    /// </summary>
    private static async Task CheckWithPrometheusAsync(string baseUrl)
    {
        var target = new Uri(baseUrl).Authority;
        var port = Paths.FreePort();
        var directory = Directory.CreateTempSubdirectory("relay-bench-prometheus-");
        var configFile = Path.Combine(directory.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(configFile, $$"""
            global: { scrape_interval: 5s, scrape_timeout: 4s }
            scrape_configs:
              - job_name: ours
                metrics_path: /metrics
                static_configs: [{ targets: ["{{target}}"] }]
              - job_name: official
                metrics_path: /metrics-official
                static_configs: [{ targets: ["{{target}}"] }]
            """);
        var prometheus = ChildProcess.Start("prometheus", [$"--config.file={configFile}", $"--storage.tsdb.path={directory.FullName}/data",
            $"--web.listen-address=127.0.0.1:{port}"]);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (true)
            {
                var up = await QueryAsync(http, "up");
                var samples = await QueryAsync(http, "scrape_samples_scraped");
                if (up.Count == 2 && samples.Count == 2)
                {
                    foreach (var job in new[] { "ours", "official" })
                        Console.WriteLine($"RESULT endpoint real Prometheus (OpenMetrics) {job}: up {up[job]}, samples scraped {samples[job]}, " +
                            $"added {(await QueryAsync(http, "scrape_samples_post_metric_relabeling"))[job]}");
                    var targets = await http.GetStringAsync("/api/v1/targets");
                    foreach (Match error in LastError().Matches(targets)) Console.WriteLine($"  scrape error: {error.Groups[1].Value}");
                    return;
                }
                if (DateTime.UtcNow > deadline) throw new TimeoutException("Prometheus did not scrape both endpoints within 90 s:\n" + prometheus.Output);
                await Task.Delay(1000);
            }
        }
        finally
        {
            prometheus.Dispose(); // stopped before its data directory is deleted
            directory.Delete(recursive: true);
        }
    }

    private static async Task<Dictionary<string, string>> QueryAsync(HttpClient http, string query)
    {
        try
        {
            using var document = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}"));
            return document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
                .ToDictionary(r => r.GetProperty("metric").GetProperty("job").GetString()!, r => r.GetProperty("value")[1].GetString()!);
        }
        catch (HttpRequestException)
        {
            return []; // not ready yet
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(string executable, string[] arguments, string input)
    {
        var info = new ProcessStartInfo(executable) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It stopped reading (promtool stops at the first parse error): its output says why.
        }
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"^# TYPE (\S+) (\S+)", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex("\"lastError\":\"([^\"]+)\"")]
    private static partial Regex LastError();

    private sealed record Scrape(double Time, double Cpu, double Allocated, int Bytes, string? Encoding, string ContentType);

    private sealed class Samples
    {
        public List<double> Times { get; } = [];
        public List<double> Cpu { get; } = [];
        public List<double> Allocated { get; } = [];
        public int Bytes { get; private set; }
        public string? Encoding { get; private set; }
        public string ContentType { get; private set; } = "";

        public void Add(Scrape scrape)
        {
            Times.Add(scrape.Time);
            Cpu.Add(scrape.Cpu);
            Allocated.Add(scrape.Allocated);
            (Bytes, Encoding, ContentType) = (scrape.Bytes, scrape.Encoding, scrape.ContentType);
        }
    }
}
