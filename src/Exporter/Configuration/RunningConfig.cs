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

    private Action<ExporterOptions, ExporterOptions>? _reconcile;

    /// <summary>
    /// Sets what applies a new configuration to the running components, called after it took effect with the one it
    /// replaced. There is one: the composition root's reconciler, which applies each change to every component in a
    /// stated order; a component that must follow reloads gets a step there instead of a handler of its own.
    /// </summary>
    public void ReconcileWith(Action<ExporterOptions, ExporterOptions> reconcile)
    {
        if (Interlocked.CompareExchange(ref _reconcile, reconcile, null) is not null)
            throw new InvalidOperationException("The running configuration has its reconciler already: add a step to it instead.");
    }

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
                if (Shard is not null) next = Shard.Select(next);
            }
            catch (ConfigException e)
            {
                LastReloadSucceeded = false;
                return e.Problems;
            }
            var previous = Interlocked.Exchange(ref _current, next);
            LastReloadSucceeded = true;
            LastSuccessfulReload = time.GetUtcNow();
            Volatile.Read(ref _reconcile)?.Invoke(previous, next);
            return [];
        }
    }
}
