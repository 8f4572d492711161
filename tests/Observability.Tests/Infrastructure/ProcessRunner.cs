namespace RelayExporter.Observability.Tests.Infrastructure;

/// <summary>The outcome of a program run to completion.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>For assertion messages.</summary>
    public override string ToString() =>
        $"[{CommandLine}] exit code {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}

/// <summary>Runs a program to completion with a deadline (killing it, by id, when the deadline passes).</summary>
public static class ProcessRunner
{
    /// <summary>Runs <paramref name="fileName"/>; optional <paramref name="standardInput"/> is written then closed.</summary>
    public static async Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan timeout, string? standardInput = null, string? workingDirectory = null)
    {
        await using var process = ExternalProcess.Start(fileName, arguments, workingDirectory, redirectStandardInput: standardInput is not null);
        if (standardInput is not null)
        {
            await process.WriteStandardInputAndCloseAsync(standardInput);
        }

        var exitCode = await process.WaitForExitAsync(timeout);
        return new ProcessResult(process.CommandLine, exitCode, process.StandardOutput, process.StandardError);
    }
}
