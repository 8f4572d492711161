using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace RelayExporter.AlertScenarios;

/// <summary>
/// Records every scenario in one run: the rig, a real Prometheus scraping the exporter every 15 s, a healthy baseline, every
/// fault at once, then each scenario's series read back raw from Prometheus into a fixture.
/// </summary>
internal sealed class Recorder(RecordOptions options)
{
    public const int ScrapeIntervalSeconds = 15;

    public async Task<IReadOnlyList<Fixture>> RecordAsync(IReadOnlyList<Scenario> scenarios)
    {
        await using var rig = await Rig.StartAsync(scenarios, options.ExporterBinary);
        await using var prometheus = await PrometheusProcess.StartAsync(rig.Directory, rig.ExporterUrl, ScrapeIntervalSeconds);
        Console.Error.WriteLine($"recording: exporter {rig.ExporterUrl}, prometheus {prometheus.Url}, files in {rig.Directory.FullName}");

        var clock = Stopwatch.StartNew();
        var faultPhase = false;
        using var stopTicks = new CancellationTokenSource();
        var ticks = rig.RunTicksAsync(clock, () => faultPhase, stopTicks.Token);

        var started = DateTimeOffset.UtcNow;
        Console.Error.WriteLine($"baseline for {options.Baseline}");
        await Task.Delay(options.Baseline);
        var faultAt = DateTimeOffset.UtcNow;
        foreach (var scenario in scenarios) await scenario.Inject(rig.Faults(scenario.Name));
        faultPhase = true;
        Console.Error.WriteLine($"faults set at {faultAt:O}; recording for {options.FaultPhase}");
        await Task.Delay(options.FaultPhase);
        // One more scrape, so that the last step is complete.
        await Task.Delay(TimeSpan.FromSeconds(ScrapeIntervalSeconds + 2));
        await stopTicks.CancelAsync();
        await ticks;

        var end = DateTimeOffset.UtcNow;
        var range = (int)Math.Ceiling((end - started).TotalSeconds) + ScrapeIntervalSeconds;
        var up = await prometheus.RawSeriesAsync($"up{{job=\"{PrometheusProcess.Job}\"}}", range, end);
        var scrapes = up.SelectMany(s => s.Samples.Select(p => p.TimestampMs)).Distinct().Order().ToList();
        if (scrapes.Count < 4) throw new InvalidOperationException($"Prometheus scraped the exporter only {scrapes.Count} times");
        var first = scrapes[0];
        int Step(long timestampMs) => (int)Math.Round((timestampMs - first) / (ScrapeIntervalSeconds * 1000.0));
        var steps = Step(scrapes[^1]) + 1;
        var faultStep = scrapes.FindIndex(t => t >= faultAt.ToUnixTimeMilliseconds());

        var fixtures = new List<Fixture>();
        foreach (var scenario in scenarios)
        {
            var series = await prometheus.RawSeriesAsync($"{{target=~\"{string.Join('|', scenario.Targets)}\"}}", range, end);
            var all = up.Concat(series).Select(s =>
            {
                var values = new string?[steps];
                foreach (var sample in s.Samples) values[Step(sample.TimestampMs)] = sample.Value;
                var labels = s.Labels.Where(l => l.Key != "instance").ToDictionary();
                return new FixtureSeries(labels, values);
            }).OrderBy(s => Describe(s.Labels), StringComparer.Ordinal).ToList();
            fixtures.Add(new Fixture(scenario.Name, scenario.Description, ScrapeIntervalSeconds, first / 1000, Step(scrapes[faultStep]), steps, all));
        }

        return fixtures;
    }

    private static string Describe(IReadOnlyDictionary<string, string> labels) =>
        labels["__name__"] + "{" + string.Join(",", labels.Where(l => l.Key != "__name__").OrderBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";
}

internal sealed record RecordOptions(string ExporterBinary, TimeSpan Baseline, TimeSpan FaultPhase);

internal sealed record RawSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<RawSample> Samples);

internal sealed record RawSample(long TimestampMs, string Value);

/// <summary>A Prometheus process that only scrapes the exporter (no rules: the fixtures are the input, not the result).</summary>
internal sealed class PrometheusProcess : IAsyncDisposable
{
    public const string Job = "relay-exporter";

    private readonly Process process;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private PrometheusProcess(Process process, Uri url)
    {
        this.process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<PrometheusProcess> StartAsync(DirectoryInfo directory, Uri exporter, int scrapeIntervalSeconds)
    {
        var config = Path.Combine(directory.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: {scrapeIntervalSeconds}s
              evaluation_interval: {scrapeIntervalSeconds}s
            scrape_configs:
              - job_name: {Job}
                static_configs:
                  - targets: ['{exporter.Authority}']

            """);
        var port = Rig.FreePort();
        var start = new ProcessStartInfo("prometheus")
        {
            ArgumentList =
            {
                $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory.FullName, "prometheus-data")}",
                $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start prometheus");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var prometheus = new PrometheusProcess(process, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await Rig.WaitUntilAsync(async () =>
            {
                if (process.HasExited) throw new InvalidOperationException($"prometheus exited with {process.ExitCode}");
                try
                {
                    using var response = await prometheus.http.GetAsync(new Uri(prometheus.Url, "-/ready"));
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), "prometheus to be ready");
            return prometheus;
        }
        catch
        {
            await prometheus.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every stored sample of the series matching <paramref name="selector"/> in the last <paramref name="seconds"/>.</summary>
    public async Task<IReadOnlyList<RawSeries>> RawSeriesAsync(string selector, int seconds, DateTimeOffset at)
    {
        var query = Uri.EscapeDataString($"{selector}[{seconds}s]");
        var time = (at.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri(Url, $"api/v1/query?query={query}&time={time}")));
        var result = new List<RawSeries>();
        foreach (var series in document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            var samples = series.GetProperty("values").EnumerateArray()
                .Select(v => new RawSample((long)Math.Round(v[0].GetDouble() * 1000), v[1].GetString()!)).ToList();
            result.Add(new RawSeries(labels, samples));
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        http.Dispose();
    }
}
