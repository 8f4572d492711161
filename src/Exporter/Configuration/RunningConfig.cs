namespace RelayExporter.Configuration;

/// <summary>The configuration in force, where it came from, and how its last (re)load went.</summary>
/// <param name="inForce">
/// What of a loaded configuration is in force here, at start-up and after every reload: on a sharded replica, only its
/// shard's targets (some of the loaded ones, the rest unchanged). Null: all of it.
/// </param>
public sealed class RunningConfig(string path, ExporterOptions initial, TimeProvider time, Func<ExporterOptions, ExporterOptions>? inForce = null)
{
    private readonly object _reloadGate = new();
    // Before the shard takes its part: the process read every target's credential, and must redact them all.
    private IReadOnlyList<Secret> _loadedSecrets = [.. initial.Secrets()];
    private ExporterOptions _current = inForce?.Invoke(initial) ?? initial;

    public string Path { get; } = path;
    public ExporterOptions Current => Volatile.Read(ref _current);

    /// <summary>
    /// Every secret of the file last loaded, those of targets another shard probes included (<see cref="Current"/>
    /// holds only this shard's): the process read them all.
    /// </summary>
    public IReadOnlyList<Secret> LoadedSecrets => Volatile.Read(ref _loadedSecrets);
    public bool LastReloadSucceeded { get; private set; } = true;
    public DateTimeOffset LastSuccessfulReload { get; private set; } = time.GetUtcNow();

    private Reconciler? _reconciler;

    /// <summary>
    /// Sets what follows reloads. There is one: the composition root's reconciler. It checks every reloaded file beyond
    /// its shape (<paramref name="check"/>, run by <see cref="ConfigLoader.Load"/> before the file is taken, on all of it),
    /// and applies a configuration that took effect to every component in a stated order (<paramref name="reconcile"/>,
    /// with the one it replaced); a component that must follow reloads gets a step there instead of a handler of its own.
    /// </summary>
    public void ReconcileWith(ConfigCheck check, Action<ExporterOptions, ExporterOptions> reconcile)
    {
        if (Interlocked.CompareExchange(ref _reconciler, new Reconciler(check, reconcile), null) is not null)
            throw new InvalidOperationException("The running configuration has its reconciler already: add a step to it instead.");
    }

    private sealed record Reconciler(ConfigCheck Check, Action<ExporterOptions, ExporterOptions> Reconcile);

    /// <summary>
    /// Reads the file again. A valid file replaces the running configuration; an invalid one is rejected, the old one
    /// keeps running, and the problems are returned.
    /// </summary>
    public IReadOnlyList<ConfigProblem> Reload()
    {
        lock (_reloadGate)
        {
            var reconciler = Volatile.Read(ref _reconciler);
            ExporterOptions next;
            try
            {
                next = ConfigLoader.Load(Path, reconciler?.Check);
                Volatile.Write(ref _loadedSecrets, [.. next.Secrets()]);
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
            reconciler?.Reconcile(previous, next);
            return [];
        }
    }
}
