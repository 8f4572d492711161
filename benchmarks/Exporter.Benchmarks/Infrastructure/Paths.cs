using System.Runtime.InteropServices;

namespace RelayExporter.Benchmarks.Infrastructure;

/// <summary>Where the executables under measurement are: the Release builds of this repository.</summary>
public static class Paths
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Set to measure another relay-exporter executable, e.g. the JIT build (<c>src/Exporter/bin/Release/net10.0/relay-exporter</c>).</summary>
    public const string ExporterVariable = "RELAY_BENCH_EXPORTER";

    /// <summary>The executable that ships: the Native AOT publish of the exporter, unless <see cref="ExporterVariable"/> names another.</summary>
    public static string Exporter => Environment.GetEnvironmentVariable(ExporterVariable) is { Length: > 0 } other
        ? File.Exists(other) ? Path.GetFullPath(other) : throw new FileNotFoundException($"{ExporterVariable}={other} is missing")
        : Executable($"src/Exporter/bin/Release/net10.0/{RuntimeInformation.RuntimeIdentifier}/publish/relay-exporter",
            $"run `dotnet publish src/Exporter -c Release` first (the Native AOT binary), or set {ExporterVariable} to another relay-exporter");
    public static string Simulator => Executable("src/Simulator/bin/Release/net10.0/relay-simulator");
    public const string BlackboxExporter = "/usr/bin/prometheus-blackbox-exporter";

    /// <summary>A loopback port free right now (for executables that need to be told one).</summary>
    public static int FreePort() => RelayExporter.Tests.Infrastructure.FreePort.Get();

    private static string Executable(string relative, string remedy = "run `dotnet build -c Release Exporter.sln` first")
    {
        var path = Path.Combine(RepositoryRoot, relative);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: {remedy}");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Exporter.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Exporter.sln not found above " + AppContext.BaseDirectory);
    }
}
