using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using RelayExporter.Configuration;
using RelayExporter.Spending;
using RelayExporter.Telemetry;
using RelayExporter.Web;

namespace RelayExporter.Hosting;

/// <summary>What the relay-exporter executable does with its flags: help, version, config check, health check, or serve.</summary>
public static class ExporterCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args is [HealthCheckCommand.Name, .. var healthCheckArgs]) return await HealthCheckCommand.RunAsync(healthCheckArgs, stdout, stderr);
        var (commandLine, errors) = CommandLine.Parse(args, Environment.GetEnvironmentVariable);
        if (commandLine is null)
        {
            foreach (var error in errors) stderr.WriteLine($"relay-exporter: {error}");
            stderr.WriteLine(CommandLine.Usage);
            return 2;
        }
        if (commandLine.ShowHelp) { stdout.WriteLine(CommandLine.Usage); return 0; }
        if (commandLine.ShowVersion)
        {
            var build = BuildInfo.Current;
            stdout.WriteLine($"relay-exporter {build.Version} (revision {build.Revision}, {build.Runtime})");
            return 0;
        }
        if (commandLine.ConfigCheck is { } checkPath) return CheckConfig(checkPath, commandLine.WebConfigFile, stdout, stderr);
        WebConfig? web = null;
        if (commandLine.WebConfigFile is { } webConfigPath && !TryLoad("web configuration", webConfigPath, WebConfigLoader.Load, stderr, out web))
            return 1;
        if (commandLine.ConfigFile is not { } configPath)
        {
            stderr.WriteLine($"relay-exporter: no configuration: pass --config.file PATH or set {CommandLine.ConfigFileVariable}");
            return 2;
        }
        if (!TryLoad("configuration", configPath, LoadConfig, stderr, out var options)) return 1;

        try
        {
            await using var app = ExporterApp.Build(commandLine, configPath, options, web: web);
            await app.StartAsync();
            app.Logger.LogInformation("Relay Exporter {Version} serving on {Urls} with {Targets} targets from {Config}",
                BuildInfo.Current.Version, string.Join(", ", app.Urls), options.Targets.Count, configPath);
            if (SpendSummary(options) is { } spend) app.Logger.LogInformation("Spend: {Projection}", spend);
            if (commandLine.Shard is { } shard)
                app.Logger.LogInformation("Shard {Index} of {Count}: this replica probes only the targets of its shard", shard.Index, shard.Count);
            await app.WaitForShutdownAsync();
            return 0;
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("OTEL_", StringComparison.Ordinal))
        {
            stderr.WriteLine($"relay-exporter: {e.Message}");
            return 1;
        }
        catch (IOException e) when (e.InnerException is SocketException or AddressInUseException)
        {
            var reason = e.InnerException is AddressInUseException ? "address already in use" : e.InnerException.Message;
            stderr.WriteLine($"relay-exporter: cannot listen on {commandLine.ListenAddress}: {reason}");
            return 1;
        }
    }

    private static ExporterOptions LoadConfig(string path) => ConfigLoader.Load(path, SpendProjection.CheckBudget);

    /// <summary>Validates the configuration and, when given, the web configuration (certificates and keys included).</summary>
    private static int CheckConfig(string path, string? webConfigPath, TextWriter stdout, TextWriter stderr)
    {
        var (options, problems) = Load(path, LoadConfig);
        if (webConfigPath is not null) problems = [.. problems, .. Load(webConfigPath, WebConfigLoader.Load).Problems];
        if (problems.Count == 0)
        {
            stdout.WriteLine("ok");
            if (SpendSummary(options!) is { } spend) stdout.WriteLine(spend);
            foreach (var line in DirectPairing.Of(options!).Summary()) stdout.WriteLine(line);
            return 0;
        }
        foreach (var problem in problems) stderr.WriteLine(problem);
        return 1;
    }

    private static (T? Loaded, IReadOnlyList<ConfigProblem> Problems) Load<T>(string path, Func<string, T> load) where T : class
    {
        try
        {
            return (load(path), []);
        }
        catch (ConfigException e)
        {
            return (null, e.Problems);
        }
    }

    /// <summary>The projected daily spend of the paid checks, against the budget; null for a configuration without either.</summary>
    private static string? SpendSummary(ExporterOptions options)
    {
        var projection = SpendProjection.Of(options);
        return projection.Series.Count + projection.Unpriced.Count > 0 || options.Budget.UsdPerDay is not null ? projection.Summary(options.Budget) : null;
    }

    /// <summary>Loads a file, or prints every problem it has (file:line: key: reason) and returns false.</summary>
    private static bool TryLoad<T>(string what, string path, Func<string, T> load, TextWriter stderr, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? loaded)
        where T : class
    {
        try
        {
            loaded = load(path);
            return true;
        }
        catch (ConfigException e)
        {
            stderr.WriteLine($"relay-exporter: {what} {path} is invalid:");
            foreach (var problem in e.Problems) stderr.WriteLine($"  {problem}");
            loaded = null;
            return false;
        }
    }
}
