using System.Runtime.InteropServices;

namespace RelayExporter.Configuration;

/// <summary>
/// Re-reads the configuration on SIGHUP, when the file changes, and when asked (POST /-/reload). A rejected file
/// leaves the running configuration in place, and the log and relay_exporter_config_last_reload_successful say why.
/// </summary>
public sealed class ConfigReloader(RunningConfig config, ILogger<ConfigReloader> log) : IHostedService, IDisposable
{
    private static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(300);
    private PosixSignalRegistration? _hangup;
    private FileSystemWatcher? _watcher;
    private Timer? _settle;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // SIGHUP means "reload", not "stop"
            Reload("SIGHUP");
        });
        var path = Path.GetFullPath(config.Path);
        // Editors and Kubernetes replace files rather than write them: watch the directory for any change of this name.
        _settle = new Timer(_ => Reload("file change"));
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        FileSystemEventHandler changed = (_, _) => _settle.Change(SettleTime, Timeout.InfiniteTimeSpan);
        _watcher.Changed += changed;
        _watcher.Created += changed;
        _watcher.Renamed += (_, _) => _settle.Change(SettleTime, Timeout.InfiniteTimeSpan);
        _watcher.EnableRaisingEvents = true;
        return Task.CompletedTask;
    }

    public IReadOnlyList<ConfigProblem> Reload(string trigger)
    {
        var problems = config.Reload();
        if (problems.Count == 0)
            log.LogInformation("Configuration reloaded from {Path} ({Trigger}): {Targets} targets", config.Path, trigger, config.Current.Targets.Count);
        else
            log.LogError("Configuration reload from {Path} ({Trigger}) failed; the running configuration stays in force: {Problems}",
                config.Path, trigger, string.Join("; ", problems));
        return problems;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _settle?.Dispose();
        _hangup?.Dispose();
    }
}
