using System.Text.Json;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Hosting;

/// <summary>The exporter executable, run as a process, logs one JSON object per line with --log.format json.</summary>
public class StructuredLoggingTests
{
    [Fact]
    public async Task Json_log_format_writes_one_parseable_object_per_line_with_the_probe_outcome()
    {
        // A refused connection fails at once; the timeout only has to outlast a starved CPU. With 1 s, on a machine
        // running 50 runnable threads on 2 cores, the refused probe itself ended in "timeout" now and then.
        using var closed = new ClosedPort();
        var config = Path.Combine(Path.GetTempPath(), $"relay-exporter-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(config, $$"""
            targets:
              - name: offline
                protocol: openai
                base_url: http://127.0.0.1:{{closed.Port}}
                checks:
                  models: { interval: 10s, timeout: 10s }
            """);
        await using var exporter = ExternalProcess.Start("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "relay-exporter.dll"), "--config.file", config, "--web.listen-address", "127.0.0.1:0", "--log.format", "json"]);

        var changeLine = await Eventually.GetAsync(() => Task.FromResult(
                exporter.StandardOutput.Split('\n').FirstOrDefault(l => l.Contains("StateChangeLog", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(60), $"a state change log line from {exporter.CommandLine}");

        Assert.All(exporter.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => JsonDocument.Parse(line).Dispose());
        using var entry = JsonDocument.Parse(changeLine);
        Assert.Equal("Information", entry.RootElement.GetProperty("LogLevel").GetString());
        Assert.Equal("RelayExporter.Health.StateChangeLog", entry.RootElement.GetProperty("Category").GetString());
        var state = entry.RootElement.GetProperty("State");
        Assert.Equal(("target offline", "degraded", "unknown"), (state.GetProperty("Subject").GetString(), state.GetProperty("State").GetString(), state.GetProperty("Before").GetString()));
        Assert.StartsWith($"models: connect_error: Connection refused (127.0.0.1:{closed.Port})", state.GetProperty("Reason").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", entry.RootElement.GetProperty("Timestamp").GetString());
        File.Delete(config);
    }
}
