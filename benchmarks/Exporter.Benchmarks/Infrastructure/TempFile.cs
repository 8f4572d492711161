namespace RelayExporter.Benchmarks.Infrastructure;

/// <summary>A generated configuration file, deleted when the benchmark is done with it.</summary>
public sealed class TempFile : IDisposable
{
    private TempFile(string path) => Path = path;

    public string Path { get; }

    public static TempFile Write(string name, string text)
    {
        var file = new TempFile(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"relay-bench-{name}-{Environment.ProcessId}.yml"));
        File.WriteAllText(file.Path, text);
        return file;
    }

    public void Dispose() => File.Delete(Path);
}
