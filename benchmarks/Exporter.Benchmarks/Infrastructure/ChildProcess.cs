using System.Diagnostics;

namespace RelayExporter.Benchmarks.Infrastructure;

/// <summary>
/// An executable this benchmark started, with its output captured, its CPU time and resident memory readable, and
/// killed (that process only, by its id) when disposed.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private ChildProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>User + system CPU time the process has used so far.</summary>
    public TimeSpan Cpu
    {
        get { _process.Refresh(); return _process.TotalProcessorTime; }
    }

    /// <summary>Resident set size in bytes (VmRSS).</summary>
    public long Rss
    {
        get { _process.Refresh(); return _process.WorkingSet64; }
    }

    public static ChildProcess Start(string executable, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;

        var child = new ChildProcess(Process.Start(info) ?? throw new InvalidOperationException($"cannot start {executable}"));
        child._process.OutputDataReceived += (_, e) => child.Capture(e.Data);
        child._process.ErrorDataReceived += (_, e) => child.Capture(e.Data);
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Starts a server with the benchmark credential in its environment, and waits until <paramref name="readyUrl"/> answers.</summary>
    /// <param name="timeout">How long it may take to be ready; a minute when not given.</param>
    public static async Task<ChildProcess> StartServingAsync(string executable, IEnumerable<string> arguments, string readyUrl,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            [FleetConfig.CredentialVariable] = FleetConfig.CredentialValue,
        };
        var process = Start(executable, arguments, variables);
        try
        {
            await process.WaitUntilServingAsync(readyUrl, timeout ?? TimeSpan.FromSeconds(60));
            return process;
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>The first output line that matches, waiting for it; fails with the output so far if the process exits first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (_output)
                if (_output.FirstOrDefault(match) is { } line) return line;
            if (_process.HasExited) throw new InvalidOperationException($"process {Id} exited with {_process.ExitCode}: {Output}");
            await Task.Delay(50);
        }
        throw new TimeoutException($"process {Id} printed no expected line within {timeout}: {Output}");
    }

    /// <summary>Polls <paramref name="url"/> until it answers 2xx; fails with the output so far if the process exits first.</summary>
    private async Task WaitUntilServingAsync(string url, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"process {Id} exited with {_process.ExitCode}: {Output}");
            try
            {
                using var response = await http.GetAsync(url);
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too busy starting to answer within the poll's timeout.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{url} did not answer within {timeout}: {Output}");
    }

    public string Output
    {
        get { lock (_output) return string.Join('\n', _output.TakeLast(40)); }
    }

    /// <summary>Raised for every line the process prints, also those past the ones kept for <see cref="Output"/>.</summary>
    public event Action<string>? LineReceived;

    private void Capture(string? line)
    {
        if (line is null) return;
        LineReceived?.Invoke(line);
        lock (_output)
            if (_output.Count < 10_000) _output.Add(line);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
