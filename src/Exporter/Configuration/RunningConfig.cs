namespace RelayExporter.Configuration;

/// <summary>The configuration in force, where it came from, and how its last (re)load went.</summary>
public sealed class RunningConfig(string path, ExporterOptions initial, TimeProvider time)
{
    private readonly object _reloadGate = new();
    private ExporterOptions _current = initial;

    public string Path { get; } = path;
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
