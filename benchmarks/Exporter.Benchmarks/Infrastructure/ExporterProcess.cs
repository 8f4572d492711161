namespace RelayExporter.Benchmarks.Infrastructure;

/// <summary>The relay-exporter executable under measurement (<see cref="Paths.Exporter"/> unless told), serving on a free loopback port, logging warnings.</summary>
public static class ExporterProcess
{
    /// <summary>Starts it with <paramref name="config"/> (and <paramref name="extra"/> arguments) and waits until it is ready.</summary>
    /// <param name="timeout">How long it may take to be ready; a minute when not given.</param>
    /// <param name="executable">Another build of the executable (a peer to compare with); <see cref="Paths.Exporter"/> when not given.</param>
    /// <returns>The process and its base URL, <c>http://127.0.0.1:PORT</c>.</returns>
    public static async Task<(ChildProcess Process, string Url)> StartAsync(string config, IEnumerable<string>? extra = null, TimeSpan? timeout = null,
        string? executable = null)
    {
        var url = $"http://127.0.0.1:{Paths.FreePort()}";
        var process = await ChildProcess.StartServingAsync(executable ?? Paths.Exporter,
            ["--config.file", config, "--web.listen-address", new Uri(url).Authority, "--log.level", "warn", .. extra ?? []], url + "/-/ready",
            timeout: timeout);
        return (process, url);
    }
}
