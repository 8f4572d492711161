namespace RelayExporter.Configuration;

/// <summary>The configuration in force, where it came from, and how its last (re)load went.</summary>
/// <param name="inForce">
/// What of a loaded configuration is in force here, at start-up and after every reload: on a sharded replica, only its
/// shard's targets. Null: all of it.
/// </param>
/// <param name="check">What the loader checks beyond the file's shape on every reload (<see cref="ConfigLoader.Load"/>).</param>
public sealed class RunningConfig(string path, ExporterOptions initial, TimeProvider time, Func<ExporterOptions, ExporterOptions>? inForce = null,
    ConfigCheck? check = null)
{
    private readonly object _reloadGate = new();
    private ExporterOptions _current = inForce?.Invoke(initial) ?? initial;

    public string Path { get; } = path;
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
                next = ConfigLoader.Load(Path, check);
                if (inForce is not null) next = inForce(next);
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
