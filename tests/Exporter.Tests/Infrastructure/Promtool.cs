namespace RelayExporter.Tests.Infrastructure;

/// <summary>Runs Prometheus's <c>promtool</c> (found on PATH).</summary>
public static class Promtool
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary><c>promtool check metrics</c> on <paramref name="exposition"/> (text 0.0.4) via stdin. Lint findings appear in the output.</summary>
    public static Task<ProcessResult> CheckMetricsAsync(string exposition, TimeSpan? timeout = null) =>
        ProcessRunner.RunAsync(ExternalTool.Locate("promtool"), ["check", "metrics"], timeout ?? DefaultTimeout, standardInput: exposition);

    /// <summary>Any promtool command, e.g. <c>check rules file.yml</c> or <c>test rules tests.yml</c>.</summary>
    public static Task<ProcessResult> RunAsync(IEnumerable<string> arguments, TimeSpan? timeout = null, string? workingDirectory = null, string? standardInput = null) =>
        ProcessRunner.RunAsync(ExternalTool.Locate("promtool"), arguments, timeout ?? DefaultTimeout, standardInput, workingDirectory);
}
