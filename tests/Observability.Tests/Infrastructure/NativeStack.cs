using System.Runtime.InteropServices;
using System.Text.Json;

namespace RelayExporter.Observability.Tests.Infrastructure;

/// <summary>How to run <c>scripts/stack.sh</c>: every port is chosen at run time.</summary>
public sealed record NativeStackOptions
{
    /// <summary>Prometheus scrape and rule evaluation interval.</summary>
    public string ScrapeInterval { get; init; } = "1s";

    /// <summary>Where Alertmanager sends notifications (the receivers' paths /page and /ticket are appended).</summary>
    public Uri? WebhookUrl { get; init; }

    public string? GroupWait { get; init; }
    public string? GroupInterval { get; init; }
    public string? RepeatInterval { get; init; }
}

/// <summary>
/// The stack of <c>scripts/stack.sh run</c> (simulator, exporter, Prometheus, Alertmanager) on ports it picks. Dispose sends
/// SIGTERM to the script (which stops exactly its own processes), then kills the script's process tree by id if anything is
/// left, and checks every process the script recorded is gone.
/// </summary>
public sealed class NativeStack : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private readonly ExternalProcess script;
    private readonly DirectoryInfo directory;
    private readonly List<int> componentPids = [];
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private NativeStack(ExternalProcess script, DirectoryInfo directory)
    {
        this.script = script;
        this.directory = directory;
    }

    public Uri Exporter { get; private set; } = null!;
    public Uri Prometheus { get; private set; } = null!;
    public Uri Alertmanager { get; private set; } = null!;
    public Uri SimulatorAdmin { get; private set; } = null!;

    /// <summary>The process ids of the stack's components (simulator, exporter, alertmanager, prometheus).</summary>
    public IReadOnlyList<int> ComponentPids => componentPids;

    /// <summary>Components still running after the script exited on SIGTERM (then killed by id); empty when stack.sh stopped them all.</summary>
    public IReadOnlyList<int> LeftRunningByScript { get; private set; } = [];

    public PrometheusApi CreatePrometheusApi() => new(Prometheus);

    public static async Task<NativeStack> StartAsync(NativeStackOptions options)
    {
        var directory = Directory.CreateTempSubdirectory("relay-stack-");
        var configuration = BuildConfiguration;
        List<string> arguments =
        [
            RepositoryPaths.File("scripts", "stack.sh"), "run", "--dir", directory.FullName,
            "--exporter-port", "0", "--prometheus-port", "0", "--alertmanager-port", "0",
            "--simulator-admin-port", "0", "--simulator-base-port", "0",
            "--scrape-interval", options.ScrapeInterval,
            "--exporter-bin", RepositoryPaths.File("src", "Exporter", "bin", configuration, "net10.0", "relay-exporter"),
            "--simulator-bin", RepositoryPaths.File("src", "Simulator", "bin", configuration, "net10.0", "relay-simulator"),
        ];
        if (options.WebhookUrl is not null) arguments.AddRange(["--webhook-url", options.WebhookUrl.ToString().TrimEnd('/')]);
        if (options.GroupWait is not null) arguments.AddRange(["--group-wait", options.GroupWait]);
        if (options.GroupInterval is not null) arguments.AddRange(["--group-interval", options.GroupInterval]);
        if (options.RepeatInterval is not null) arguments.AddRange(["--repeat-interval", options.RepeatInterval]);

        var script = ExternalProcess.Start("bash", arguments, RepositoryPaths.Root);
        var stack = new NativeStack(script, directory);
        try
        {
            var line = await Eventually.GetAsync(() =>
            {
                if (script.HasExited) throw new ProcessExitedException($"stack.sh exited before it was ready.\n{stack.Describe()}");
                var ready = script.StandardOutput.Split('\n').FirstOrDefault(l => l.StartsWith("stack ready ", StringComparison.Ordinal));
                return Task.FromResult(ready);
            }, StartTimeout, "stack.sh to print 'stack ready'", TimeSpan.FromMilliseconds(100));
            using var json = JsonDocument.Parse(line["stack ready ".Length..]);
            stack.Exporter = new Uri(json.RootElement.GetProperty("exporter").GetString()!);
            stack.Prometheus = new Uri(json.RootElement.GetProperty("prometheus").GetString()!);
            stack.Alertmanager = new Uri(json.RootElement.GetProperty("alertmanager").GetString()!);
            stack.SimulatorAdmin = new Uri(json.RootElement.GetProperty("simulator_admin").GetString()!);
            foreach (var entry in await File.ReadAllLinesAsync(Path.Combine(directory.FullName, "pids")))
            {
                stack.componentPids.Add(int.Parse(entry.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture));
            }

            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sets a fault on a simulated target (or target × model) through the simulator's admin API.</summary>
    public async Task SetFaultAsync(string target, string faultJson, string? model = null)
    {
        var path = model is null ? $"_sim/faults/{target}" : $"_sim/faults/{target}/{model}";
        using var response = await http.PutAsync(new Uri(SimulatorAdmin, path), new StringContent(faultJson));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT {path} {faultJson}: {(int)response.StatusCode} {body}");
    }

    /// <summary>Clears the target-level fault of <paramref name="target"/>.</summary>
    public async Task ClearFaultAsync(string target)
    {
        using var response = await http.DeleteAsync(new Uri(SimulatorAdmin, $"_sim/faults/{target}"));
        Assert.True(response.IsSuccessStatusCode, $"DELETE _sim/faults/{target}: {(int)response.StatusCode}");
    }

    /// <summary>The script's output and the components' logs, for failure messages.</summary>
    public string Describe()
    {
        var text = script.Describe();
        foreach (var log in new[] { "simulator", "exporter", "alertmanager", "prometheus" })
        {
            var path = Path.Combine(directory.FullName, log + ".log");
            if (File.Exists(path))
            {
                var lines = File.ReadAllLines(path);
                text += $"\n--- {log}.log (last 20 lines) ---\n" + string.Join('\n', lines.TakeLast(20));
            }
        }

        return text;
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        var ignoredSigterm = false;
        try
        {
            if (!script.HasExited)
            {
                _ = SendSignal(script.Id, Sigterm);
                try
                {
                    await script.WaitForExitAsync(TimeSpan.FromSeconds(20));
                }
                catch (TimeoutException)
                {
                    // WaitForExitAsync killed the script's tree; the script did not stop its components by itself.
                    ignoredSigterm = true;
                }
            }
        }
        finally
        {
            await script.DisposeAsync();
            LeftRunningByScript = ignoredSigterm ? componentPids.ToList() : componentPids.Where(IsAlive).ToList();
            foreach (var pid in componentPids.Where(IsAlive))
            {
                _ = SendSignal(pid, Sigkill); // a component the script failed to stop: ours by id, never by name
            }

            try
            {
                directory.Delete(recursive: true);
            }
            catch (IOException)
            {
                // best effort
            }
        }
    }

    /// <summary>Whether process <paramref name="pid"/> still exists (and is not a zombie).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static string BuildConfiguration =>
        typeof(NativeStack).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Debug";

    private const int Sigterm = 15;
    private const int Sigkill = 9;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
