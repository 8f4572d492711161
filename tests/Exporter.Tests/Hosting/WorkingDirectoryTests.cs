using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Hosting;

/// <summary>
/// The exporter executable takes its configuration from its flags, its YAML file and the environment (OTEL_*), wherever
/// it is started: a service manager's working directory (systemd's is /) is not read for appsettings.json, nor watched.
/// </summary>
public class WorkingDirectoryTests
{
    private const int Subdirectories = 40;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_working_directory_is_neither_read_for_settings_nor_watched_and_the_environment_still_counts()
    {
        var workingDirectory = Directory.CreateTempSubdirectory("relay-exporter-cwd-");
        try
        {
            for (var i = 0; i < Subdirectories; i++) workingDirectory.CreateSubdirectory($"data/{i}");
            // Read by a default .NET web host: it would silence every log line.
            await File.WriteAllTextAsync(Path.Combine(workingDirectory.FullName, "appsettings.json"), """{ "Logging": { "LogLevel": { "Default": "None" } } }""");
            var config = Path.Combine(workingDirectory.FullName, "exporter.yml");
            await File.WriteAllTextAsync(config, TestConfigs.UnreachableTarget("offline"));

            await using var receiver = await OtlpMetricsReceiver.StartAsync();
            await using var exporter = ExternalProcess.Start("dotnet",
                [Path.Combine(AppContext.BaseDirectory, "relay-exporter.dll"), "--config.file", config, "--web.listen-address", "127.0.0.1:0"],
                workingDirectory.FullName, environment: new Dictionary<string, string>
                {
                    ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.BaseUrl.ToString(),
                    ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                    ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
                });
            await Eventually.UntilAsync(() => exporter.StandardOutput.Contains("The target offline became", StringComparison.Ordinal),
                Deadline, $"a state change log line from {exporter.CommandLine} despite appsettings.json");

            // The reloader watches the configuration file's directory, not its subdirectories.
            Assert.InRange(InotifyWatches(exporter.Id), 1, 2);

            // The exporter reads the OTEL_* variables through its configuration.
            await Eventually.UntilAsync(() => receiver.Points.Any(p => p.Metric == "relay_probes" && p.Attributes.GetValueOrDefault("target") == "offline"),
                Deadline, $"an OTLP export from {exporter.CommandLine} (requests {receiver.Requests})");
        }
        finally
        {
            workingDirectory.Delete(recursive: true);
        }
    }

    /// <summary>Directories the process watches: one "inotify wd:" line per watch in the fdinfo of its inotify descriptors.</summary>
    private static int InotifyWatches(int pid) =>
        new DirectoryInfo($"/proc/{pid}/fdinfo").EnumerateFiles().Sum(fdinfo => InotifyWatches(fdinfo.FullName));

    private static int InotifyWatches(string fdinfo)
    {
        try
        {
            return File.ReadLines(fdinfo).Count(line => line.StartsWith("inotify wd:", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return 0; // a probe's socket, closed since the listing
        }
    }
}
