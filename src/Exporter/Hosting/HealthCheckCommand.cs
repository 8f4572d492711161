using RelayExporter.Configuration;
using RelayExporter.Web;

namespace RelayExporter.Hosting;

/// <summary>
/// <c>relay-exporter healthcheck</c>: asks a running exporter for <c>/-/healthy</c> and exits 0 when it answers, 1 when
/// not. The container image has no curl; this is its HEALTHCHECK. It takes the serving process's own
/// <c>--web.listen-address</c> and <c>--web.config.file</c>, so it finds the listener where the exporter put it.
/// </summary>
public static class HealthCheckCommand
{
    public const string Name = "healthcheck";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public const string Usage = """
        Usage: relay-exporter healthcheck [flags]

        GETs /-/healthy of the exporter on this host; exits 0 when it answers, 1 when not.

          --web.listen-address ADDR   the serving exporter's listen address (default :9477)
          --web.config.file PATH      the serving exporter's web configuration: with TLS, asks over HTTPS
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var (listenAddress, webConfigPath, errors) = Parse(args);
        if (errors.Count > 0)
        {
            foreach (var error in errors) stderr.WriteLine($"relay-exporter healthcheck: {error}");
            stderr.WriteLine(Usage);
            return 2;
        }
        WebConfig? web = null;
        try
        {
            if (webConfigPath is not null) web = WebConfigLoader.Load(webConfigPath);
        }
        catch (ConfigException e)
        {
            stderr.WriteLine($"relay-exporter healthcheck: web configuration {webConfigPath} is invalid: {string.Join("; ", e.Problems)}");
            return 2;
        }

        var url = HealthUrl(listenAddress, web?.TlsServerConfig is null ? "http" : "https");
        using var handler = new SocketsHttpHandler();
        // The certificate is the exporter's own, served on this host: what is checked is that the process answers.
#pragma warning disable CA5359 // see above: any certificate is accepted on purpose
        if (web?.TlsServerConfig is not null) handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        using var client = new HttpClient(handler) { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(url);
            if (response.IsSuccessStatusCode)
            {
                stdout.WriteLine($"{url}: healthy");
                return 0;
            }
            // With basic_auth_users every path asks for a password, /-/healthy too: the exporter's own challenge is its answer.
            if (web?.BasicAuthUsers is { Count: > 0 } && response.StatusCode == System.Net.HttpStatusCode.Unauthorized
                && response.Headers.WwwAuthenticate.ToString().Contains("realm=\"relay-exporter\"", StringComparison.Ordinal))
            {
                stdout.WriteLine($"{url}: serving (behind basic auth)");
                return 0;
            }
            stderr.WriteLine($"relay-exporter healthcheck: {url} answered {(int)response.StatusCode}");
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            var reason = e is TaskCanceledException ? $"no answer within {Timeout.TotalSeconds:F0} s" : e.Message;
            stderr.WriteLine($"relay-exporter healthcheck: {url}: {reason}");
            return 1;
        }
    }

    /// <summary>The listen address as a URL to call on this host: a wildcard address is reached on loopback.</summary>
    internal static string HealthUrl(string listenAddress, string scheme)
    {
        var colon = listenAddress.LastIndexOf(':');
        var host = listenAddress[..colon] switch
        {
            "" or "0.0.0.0" or "*" => "127.0.0.1",
            "[::]" => "[::1]",
            var named => named,
        };
        return $"{scheme}://{host}:{listenAddress[(colon + 1)..]}/-/healthy";
    }

    private static (string ListenAddress, string? WebConfigFile, List<string> Errors) Parse(IReadOnlyList<string> args)
    {
        var (listenAddress, webConfigFile, errors) = (CommandLine.DefaultListenAddress, (string?)null, new List<string>());
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], null);
            var value = inlineValue ?? (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null);
            if (name is not ("--web.listen-address" or "--web.config.file")) { errors.Add($"unknown flag {name}"); continue; }
            if (value is null) { errors.Add($"{name} needs a value"); continue; }
            if (name == "--web.config.file") webConfigFile = value;
            else if (CommandLine.ListenUrl(value) is null) errors.Add($"--web.listen-address \"{value}\" is not HOST:PORT or :PORT");
            else listenAddress = value;
        }
        return (listenAddress, webConfigFile, errors);
    }
}
