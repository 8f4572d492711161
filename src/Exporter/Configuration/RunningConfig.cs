using RelayExporter.Sharding;

namespace RelayExporter.Configuration;

/// <summary>The configuration in force, where it came from, and how its last (re)load went.</summary>
/// <param name="shard">On a sharded replica, only this shard's targets are in force, at start-up and after every reload.</param>
public sealed class RunningConfig(string path, ExporterOptions initial, TimeProvider time, Shard? shard = null)
{
    private readonly object _reloadGate = new();
    private ExporterOptions _current = shard?.Select(initial) ?? initial;

    public string Path { get; } = path;
    public Shard? Shard { get; } = shard;
    public ExporterOptions Current => Volatile.Read(ref _current);
    public bool LastReloadSucceeded { get; private set; } = true;
    public DateTimeOffset LastSuccessfulReload { get; private set; } = time.GetUtcNow();

    /// <summary>Raised after a new configuration took effect, with the one it replaced.</summary>
    public event Action<ExporterOptions, ExporterOptions>? Changed;

    /// <summary>
    /// Reads the file again. A valid file replaces the running configuration; an invalid one is rejected, the old one
    /// keeps running, and the problems are returned.
    /// </summary>
    public IReadOnlyList<ConfigProblem> Reload()
    {
        lock (_reloadGate)
        {
            ExporterOptions next;
            try
            {
                next = ConfigLoader.Load(Path);
                if (shard is not null) next = shard.Select(next);
            }
            catch (ConfigException e)
            {
                LastReloadSucceeded = false;
                return e.Problems;
            }
            var previous = Interlocked.Exchange(ref _current, next);
            LastReloadSucceeded = true;
            LastSuccessfulReload = time.GetUtcNow();
            Changed?.Invoke(previous, next);
            return [];
        }
    }
}
