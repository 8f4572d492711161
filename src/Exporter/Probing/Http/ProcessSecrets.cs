using RelayExporter.Configuration;

namespace RelayExporter.Probing.Http;

/// <summary>
/// The redactor of every secret the process holds (<see cref="ExporterOptions.Secrets"/>), for whatever an upstream
/// sends back. The secrets are those of the configuration in force, read when it was loaded: a probe reads no file,
/// and a reload brings the set up to date.
/// </summary>
public sealed class ProcessSecrets(RunningConfig config)
{
    private Snapshot? _snapshot;

    /// <summary>
    /// A redactor of every secret, and of <paramref name="sent"/>: a probe that started before a reload still sends
    /// the value of the configuration it started with.
    /// </summary>
    public SecretRedactor Redactor(Secret? sent = null)
    {
        var options = config.Current;
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is null || !ReferenceEquals(snapshot.Options, options))
        {
            snapshot = new Snapshot(options, new SecretRedactor(options.Secrets().Select(s => s.Reveal())));
            Volatile.Write(ref _snapshot, snapshot);
        }
        return snapshot.Redactor.With(sent?.Reveal());
    }

    private sealed record Snapshot(ExporterOptions Options, SecretRedactor Redactor);
}
