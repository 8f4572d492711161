using System.Text;
using System.Text.Json;

namespace RelayExporter.Tests.Infrastructure;

/// <summary>A target for Prometheus to scrape: <c>host:port</c> plus job name and path.</summary>
public sealed record ScrapeTarget(string JobName, string HostPort, string MetricsPath = "/metrics")
{
    /// <summary>Scrape over HTTPS, trusting the authorities in this PEM file.</summary>
    public string? TlsCaFile { get; init; }

    /// <summary>Scrape with basic auth.</summary>
    public (string User, string Password)? BasicAuth { get; init; }
}

/// <summary>
/// A real <c>prometheus</c> server (found on PATH) in a temp directory on a free 127.0.0.1 port, scraping the given
/// targets. Dispose kills exactly that process (by id) and deletes the directory.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(60);
    private readonly ExternalProcess process;
    private readonly DirectoryInfo directory;
    private readonly HttpClient http;

    private PrometheusServer(ExternalProcess process, DirectoryInfo directory, Uri baseAddress)
    {
        this.process = process;
        this.directory = directory;
        BaseAddress = baseAddress;
        http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Where the server's HTTP API listens.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The OS process id of the server.</summary>
    public int ProcessId => process.Id;

    /// <summary>The generated prometheus.yml.</summary>
    public string ConfigPath => Path.Combine(directory.FullName, "prometheus.yml");

    /// <summary>Prometheus's captured output, for failure messages.</summary>
    public string Describe() => process.Describe();

    /// <summary>
    /// Starts Prometheus scraping <paramref name="targets"/> every <paramref name="scrapeInterval"/> (default 1 s),
    /// with optional rule files (copied next to the config), and waits until <c>/-/ready</c> answers 200.
    /// </summary>
    public static async Task<PrometheusServer> StartAsync(
        IEnumerable<ScrapeTarget> targets,
        IEnumerable<string>? ruleFiles = null,
        TimeSpan? scrapeInterval = null,
        TimeSpan? startTimeout = null)
    {
        var binary = ExternalTool.Locate("prometheus");
        var targetList = targets.ToList();
        var rules = ruleFiles?.ToList() ?? [];
        const int attempts = 3; // the free port may be taken by someone else before prometheus binds it
        for (var attempt = 1; ; attempt++)
        {
            var directory = Directory.CreateTempSubdirectory("relay-prometheus-");
            var port = FreePort.Get();
            var copiedRules = rules.Select(r =>
            {
                var destination = Path.Combine(directory.FullName, Path.GetFileName(r));
                File.Copy(r, destination);
                return destination;
            }).ToList();
            var configPath = Path.Combine(directory.FullName, "prometheus.yml");
            await File.WriteAllTextAsync(configPath, BuildConfig(targetList, copiedRules, scrapeInterval ?? TimeSpan.FromSeconds(1)));

            var process = ExternalProcess.Start(binary,
            [
                $"--config.file={configPath}",
                $"--storage.tsdb.path={Path.Combine(directory.FullName, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
                "--storage.tsdb.retention.time=1h",
                "--log.level=info",
            ], directory.FullName);
            var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"));
            try
            {
                await server.WaitForReadyAsync(startTimeout ?? DefaultStartTimeout);
                return server;
            }
            catch (Exception) when (attempt < attempts && process.HasExited
                && process.StandardError.Contains("address already in use", StringComparison.Ordinal))
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Runs an instant query; throws with Prometheus's error if the query fails or the result is not a vector.</summary>
    public Task<IReadOnlyList<VectorSample>> QueryAsync(string promql, CancellationToken cancellationToken = default) =>
        PrometheusQuery.InstantAsync(http, promql, cancellationToken);

    /// <summary>
    /// Re-runs <paramref name="promql"/> until <paramref name="predicate"/> holds for its result, and returns that
    /// result; on timeout the message includes the last result and Prometheus's output.
    /// </summary>
    public async Task<IReadOnlyList<VectorSample>> WaitUntilAsync(
        string promql, Func<IReadOnlyList<VectorSample>, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<VectorSample> last = [];
        try
        {
            return await Eventually.GetAsync(async () =>
            {
                EnsureRunning();
                last = await QueryAsync(promql, cancellationToken);
                return predicate(last) ? last : null;
            }, timeout, $"'{promql}' to satisfy the condition", TimeSpan.FromMilliseconds(200), cancellationToken);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(
                $"{ex.Message}\nLast result: [{string.Join("; ", last)}]\nTargets: {await TryGetTargetsAsync()}\n{Describe()}", ex);
        }
    }

    /// <summary>The raw <c>/api/v1/targets</c> document (scrape health, last error), for diagnostics.</summary>
    public async Task<string> TryGetTargetsAsync()
    {
        try
        {
            return await http.GetStringAsync("api/v1/targets");
        }
        catch (Exception ex)
        {
            return $"(unavailable: {ex.Message})";
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await process.DisposeAsync();
        try
        {
            directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp directory left behind is harmless
        }
    }

    private async Task WaitForReadyAsync(TimeSpan timeout)
    {
        try
        {
            await Eventually.UntilAsync(async () =>
            {
                EnsureRunning();
                using var response = await http.GetAsync("-/ready");
                return response.IsSuccessStatusCode;
            }, timeout, $"prometheus at {BaseAddress} to become ready", TimeSpan.FromMilliseconds(100));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\n{Describe()}", ex);
        }
    }

    private void EnsureRunning()
    {
        if (process.HasExited)
        {
            // Eventually does not retry this: the output is surfaced straight away.
            throw new ProcessExitedException($"prometheus exited unexpectedly.\n{Describe()}");
        }
    }


    private static string BuildConfig(IReadOnlyList<ScrapeTarget> targets, IReadOnlyList<string> ruleFiles, TimeSpan interval)
    {
        var seconds = $"{Math.Max(1, (int)interval.TotalSeconds)}s";
        var yaml = new StringBuilder();
        yaml.Append("global:\n")
            .Append("  scrape_interval: ").Append(seconds).Append('\n')
            .Append("  scrape_timeout: ").Append(seconds).Append('\n')
            .Append("  evaluation_interval: ").Append(seconds).Append('\n');
        if (ruleFiles.Count > 0)
        {
            yaml.Append("rule_files:\n");
            foreach (var file in ruleFiles)
            {
                yaml.Append("  - ").Append(JsonSerializer.Serialize(file)).Append('\n');
            }
        }

        yaml.Append("scrape_configs:\n");
        foreach (var group in targets.GroupBy(t => (t.JobName, t.MetricsPath, t.TlsCaFile, t.BasicAuth)))
        {
            yaml.Append("  - job_name: ").Append(JsonSerializer.Serialize(group.Key.JobName)).Append('\n')
                .Append("    metrics_path: ").Append(JsonSerializer.Serialize(group.Key.MetricsPath)).Append('\n');
            if (group.Key.TlsCaFile is { } caFile)
                yaml.Append("    scheme: https\n")
                    .Append("    tls_config: { ca_file: ").Append(JsonSerializer.Serialize(caFile)).Append(" }\n");
            if (group.Key.BasicAuth is var (user, password))
                yaml.Append("    basic_auth: { username: ").Append(JsonSerializer.Serialize(user))
                    .Append(", password: ").Append(JsonSerializer.Serialize(password)).Append(" }\n");
            yaml.Append("    static_configs:\n")
                .Append("      - targets: [").Append(string.Join(", ", group.Select(t => JsonSerializer.Serialize(t.HostPort)))).Append("]\n");
        }

        return yaml.ToString();
    }
}
