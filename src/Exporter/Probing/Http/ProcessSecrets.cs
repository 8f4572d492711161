using RelayExporter.Configuration;

namespace RelayExporter.Probing.Http;

/// <summary>
/// The one place that knows every secret the process holds — the targets' credentials and the admin token — for
/// redacting them from whatever an upstream sends back. Resolving them reads credential files, so the set is kept
/// for a few seconds and renewed when the configuration changes.
/// </summary>
public sealed class ProcessSecrets(RunningConfig config, TimeProvider time)
{
    private static readonly TimeSpan Renewal = TimeSpan.FromSeconds(10);
    private Snapshot? _snapshot;

    /// <summary>
    /// A redactor of every secret, and of <paramref name="sent"/>: the value a probe just sent is covered even when its
    /// credential file was rotated since the set was resolved.
    /// </summary>
    public SecretRedactor Redactor(Secret? sent = null)
    {
        var options = config.Current;
        var now = time.GetUtcNow();
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is null || !ReferenceEquals(snapshot.Options, options) || now - snapshot.ResolvedAt >= Renewal)
        {
            snapshot = new Snapshot(options, now, new SecretRedactor(All(options)));
            Volatile.Write(ref _snapshot, snapshot);
        }
        return snapshot.Redactor.With(sent?.Reveal());
    }

    private static IEnumerable<string> All(ExporterOptions options) =>
        options.Targets.Select(t => t.Credential).Append(options.Admin.Token)
            .Concat(options.Targets.SelectMany(t => t.Headers.Values).Select(header => header.SecretSource))
            .Select(credential => credential?.Resolve()?.Reveal()).OfType<string>();

    private sealed record Snapshot(ExporterOptions Options, DateTimeOffset ResolvedAt, SecretRedactor Redactor);
}
