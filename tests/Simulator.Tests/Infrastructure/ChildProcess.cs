using System.Diagnostics;
using System.Text;

namespace RelayExporter.Simulator.Tests;

/// <summary>A process a test starts; disposing kills it (and only it and its children) if it is still running.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private ChildProcess(Process process) => _process = process;

    public StreamReader StandardOutput => _process.StandardOutput;

    public string StandardError
    {
        get
        {
            lock (_stderr) return _stderr.ToString();
        }
    }

    public static ChildProcess Start(string fileName, IEnumerable<string> args, string? workingDirectory = null,
        IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        var child = new ChildProcess(Process.Start(info)!);
        child._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lock (child._stderr) child._stderr.AppendLine(e.Data);
        };
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the exit within the deadline; returns the exit code and everything written to stdout.</summary>
    public async Task<(int ExitCode, string Output)> WaitAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        var output = _process.StandardOutput.ReadToEndAsync(timeout.Token);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return (_process.ExitCode, await output);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"'{_process.StartInfo.FileName}' did not finish within {deadline}; stderr: {StandardError}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }

    /// <summary>The <c>dotnet</c> host running this test, to start other .NET apps the same way.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
}
