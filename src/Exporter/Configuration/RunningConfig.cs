namespace RelayExporter.Configuration;

/// <summary>The configuration in force, where it came from, and how its last (re)load went.</summary>
public sealed class RunningConfig(string path, ExporterOptions initial, TimeProvider time)
{
    private ExporterOptions _current = initial;

    public string Path { get; } = path;
    public ExporterOptions Current => Volatile.Read(ref _current);
    public bool LastReloadSucceeded { get; private set; } = true;
    public DateTimeOffset LastSuccessfulReload { get; private set; } = time.GetUtcNow();
}
