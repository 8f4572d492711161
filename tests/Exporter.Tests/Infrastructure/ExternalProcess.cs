using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace RelayExporter.Tests.Infrastructure;

/// <summary>
/// An external program started by a test. Captures stdout/stderr (for failure messages) and, on dispose, kills
/// exactly this process and its descendants (by its id) if it is still running.
/// </summary>
public sealed class ExternalProcess : IAsyncDisposable, IDisposable
{
    private const int MaxCapturedChars = 64 * 1024;
    private readonly Process process;
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();
    private readonly TaskCompletionSource exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int disposed;

    private ExternalProcess(Process process, string commandLine)
    {
        this.process = process;
        CommandLine = commandLine;
    }

    /// <summary>The program and arguments, for messages.</summary>
    public string CommandLine { get; }

    /// <summary>The OS process id.</summary>
    public int Id => process.Id;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => exited.Task.IsCompleted;

    /// <summary>The exit code; only valid once <see cref="HasExited"/>.</summary>
    public int ExitCode => process.ExitCode;

    /// <summary>Standard output captured so far (the last 64 KiB).</summary>
    public string StandardOutput { get { lock (stdout) { return stdout.ToString(); } } }

    /// <summary>Standard error captured so far (the last 64 KiB).</summary>
    public string StandardError { get { lock (stderr) { return stderr.ToString(); } } }

    /// <summary>
    /// Starts <paramref name="fileName"/> with <paramref name="arguments"/>, and <paramref name="environment"/> added to
    /// this process's; stdin is redirected when <paramref name="redirectStandardInput"/>.
    /// </summary>
    public static ExternalProcess Start(string fileName, IEnumerable<string> arguments, string? workingDirectory = null,
        bool redirectStandardInput = false, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStandardInput,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var external = new ExternalProcess(process, fileName + " " + string.Join(' ', startInfo.ArgumentList));
        process.OutputDataReceived += (_, e) => Append(external.stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(external.stderr, e.Data);
        process.Exited += (_, _) => external.exited.TrySetResult();
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {external.CommandLine}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return external;
    }

    /// <summary>Writes <paramref name="text"/> to stdin and closes it.</summary>
    public async Task WriteStandardInputAndCloseAsync(string text)
    {
        await process.StandardInput.WriteAsync(text);
        process.StandardInput.Close();
    }

    /// <summary>
    /// Waits for the process to exit (and its output to be drained). On timeout kills it and throws a
    /// <see cref="TimeoutException"/> carrying its output.
    /// </summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token); // also waits for the redirected streams to reach EOF
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{CommandLine} did not exit within {timeout.TotalSeconds:0.#} s; killed it.\n{Describe()}");
        }

        return process.ExitCode;
    }

    /// <summary>A description with the captured output, for assertion messages.</summary>
    public string Describe() =>
        $"[{CommandLine}] pid {SafeId()}{(HasExited ? $", exit code {process.ExitCode}" : ", running")}\n" +
        $"--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";

    /// <summary>Asks this process (by its id) to stop, as a service manager does: SIGTERM.</summary>
    public void Terminate()
    {
        if (SendSignal(process.Id, SigTerm) != 0)
            throw new InvalidOperationException($"kill -TERM {process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>Kills this process and its descendants if it is still running.</summary>
    public void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // exited in the meantime
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        Kill();
        process.WaitForExit(5000);
        process.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        Kill();
        await exited.Task.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        process.Dispose();
    }

    private string SafeId()
    {
        try
        {
            return process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.Append(line).Append('\n');
            if (buffer.Length > MaxCapturedChars)
            {
                buffer.Remove(0, buffer.Length - MaxCapturedChars);
            }
        }
    }
}
