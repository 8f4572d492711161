using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Console;
using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Routing;
using RelayExporter.Sharding;
using RelayExporter.Status;
using RelayExporter.Operations;
using RelayExporter.Probing;
using RelayExporter.OnDemand;
using RelayExporter.Telemetry;
using RelayExporter.Web;

namespace RelayExporter.Hosting;

/// <summary>Wires the exporter together. Tests build it the same way, on 127.0.0.1 port 0.</summary>
public static class ExporterApp
{
    /// <param name="web">TLS and basic auth for everything served (<c>--web.config.file</c>); null serves plain HTTP to anyone.</param>
    public static WebApplication Build(CommandLine commandLine, string configPath, ExporterOptions options,
        Action<WebApplicationBuilder>? customise = null, WebConfig? web = null)
    {
        // Flags, the YAML file and the environment (OTEL_* variables) are the whole configuration. The web host's defaults
        // would also read appsettings*.json from the working directory and watch its whole tree for changes: from
        // systemd's default working directory, /, tens of thousands of inotify watches and seconds of start-up.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        foreach (var file in builder.Configuration.Sources.OfType<FileConfigurationSource>().ToList())
            builder.Configuration.Sources.Remove(file);
        if (web?.TlsServerConfig is { } tls)
        {
            builder.WebHost.UseKestrelHttpsConfiguration(); // the slim builder leaves HTTPS out unless asked
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => WebTls.Configure(https, tls)));
        }
        builder.WebHost.UseUrls(CommandLine.ListenUrl(commandLine.ListenAddress, web?.TlsServerConfig is null ? "http" : "https")!);
        ConfigureLogging(builder.Logging, commandLine);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(commandLine.Shard ?? Shard.Whole);
        builder.Services.AddSingleton(provider => new RunningConfig(configPath, options, provider.GetRequiredService<TimeProvider>(), commandLine.Shard is null ? null : commandLine.Shard.Select));
        builder.Services.AddExporterTelemetry();
        builder.Services.AddWiredProbing();
        builder.Services.AddSingleton<ConfigReloader>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<ConfigReloader>());
        builder.Services.AddSingleton<TargetStatusReport>();
        builder.Services.AddSingleton<RouteAdvisor>();
        builder.Services.AddSingleton<ReloadReconciler>();
        customise?.Invoke(builder);

        var app = builder.Build();
        app.Services.GetRequiredService<ReloadReconciler>(); // from now on, every reload goes through it
        if (web?.BasicAuthUsers is { Count: > 0 } users) app.Use(new BasicAuthentication(users).InvokeAsync);
        if (commandLine.Shard is { } shard) app.Use(new ShardHeader(shard).InvokeAsync);
        app.MapMetricsEndpoint();
        app.MapOperationsEndpoints();
        app.MapProbeEndpoints();
        app.MapRoutingEndpoints();
        app.MapCircuitEndpoints();
        app.MapStatusPage();
        return app;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, CommandLine commandLine)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(commandLine.LogLevel);
        // Framework chatter (request logs, HttpClient request lines) is not what an operator needs at info.
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("System.Net.Http", LogLevel.Warning);
        // The host logs a failed start with its whole stack trace; the exporter names what failed (a port in use) in one
        // line, and anything it does not know ends the process with the stack trace anyway. A background service that
        // fails is still logged, at critical.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        if (commandLine.LogFormat == LogFormat.Json)
            logging.AddJsonConsole(o => { o.UseUtcTimestamp = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ"; });
        else
            // The simple format's timestamp ends with the space that separates it from the level.
            logging.AddSimpleConsole(o => { o.SingleLine = true; o.UseUtcTimestamp = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ "; o.ColorBehavior = LoggerColorBehavior.Disabled; });
    }
}
