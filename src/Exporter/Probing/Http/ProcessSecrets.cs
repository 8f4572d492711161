using RelayExporter.Configuration;

namespace RelayExporter.Probing.Http;

/// <summary>
/// The redactor of every secret the process has held (<see cref="ExporterOptions.Secrets"/>), for whatever an upstream
/// sends back: those of every target in the file, whichever shard probes it, read when it was loaded (a probe reads no
/// file); and those a reload removed or replaced, which an upstream may still echo (a rotated key, a relay that
/// forwards with a key the file no longer names). They add up only over distinct values, so reloads do not grow it.
/// </summary>
public sealed class ProcessSecrets(RunningConfig config)
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);
    private Snapshot? _snapshot;

    /// <summary>
    /// A redactor of every secret, and of <paramref name="sent"/>: a probe that started before a reload still sends
    /// the value of the configuration it started with.
    /// </summary>
    public SecretRedactor Redactor(Secret? sent = null)
    {
        var loaded = config.LoadedSecrets;
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is null || !ReferenceEquals(snapshot.Loaded, loaded))
        {
            using var _ = _gate.EnterScope();
            _held.UnionWith(loaded.Select(s => s.Reveal()));
            snapshot = new Snapshot(loaded, new SecretRedactor(_held));
            Volatile.Write(ref _snapshot, snapshot);
        }
        return snapshot.Redactor.With(sent?.Reveal());
    }

    private sealed record Snapshot(IReadOnlyList<Secret> Loaded, SecretRedactor Redactor);
}
