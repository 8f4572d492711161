using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using RelayExporter.Configuration;
using RelayExporter.Hosting;
using RelayExporter.Web;

namespace RelayExporter.Tests.Infrastructure;

/// <summary>
/// The real exporter, built the way the executable builds it, listening on 127.0.0.1 on a port the system picks.
/// Tests that host it belong to the <see cref="ExporterHostCollection"/>: every host's meter has the same name,
/// so two running at once would see each other's measurements.
/// </summary>
public sealed class ExporterHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ExporterHost(WebApplication app, string configPath, ConcurrentQueue<string> scrapeContentTypes)
    {
        _app = app;
        ConfigPath = configPath;
        ScrapeContentTypes = scrapeContentTypes;
    }

    public string ConfigPath { get; }

    /// <summary>The Content-Type of every /metrics response served, in order.</summary>
    public ConcurrentQueue<string> ScrapeContentTypes { get; }
    public Uri BaseUrl { get; private set; } = null!;
    public IServiceProvider Services => _app.Services;

    public static async Task<ExporterHost> StartAsync(string yaml, IDictionary<string, string?>? settings = null,
        ILoggerProvider? logs = null, LogLevel logLevel = LogLevel.Warning, WebConfig? web = null)
    {
        var configPath = Path.Combine(Path.GetTempPath(), $"relay-exporter-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(configPath, yaml);
        var options = ConfigLoader.Load(configPath);
        var commandLine = new CommandLine { ConfigFile = configPath, ListenAddress = "127.0.0.1:0", LogLevel = logLevel };
        var contentTypes = new ConcurrentQueue<string>();
        var app = ExporterApp.Build(commandLine, configPath, options, builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
            builder.Services.AddSingleton<IStartupFilter>(new ScrapeRecorder(contentTypes));
            if (logs is not null) builder.Logging.AddProvider(logs);
        }, web);
        var host = new ExporterHost(app, configPath, contentTypes);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        host.BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1").Replace("+", "127.0.0.1"));
        return host;
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        File.Delete(ConfigPath);
    }
}

/// <summary>Records what the exporter answered to scrapes, without touching its code.</summary>
internal sealed class ScrapeRecorder(ConcurrentQueue<string> contentTypes) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            await nextMiddleware(context);
            if (context.Request.Path == "/metrics" && context.Response.ContentType is { } type) contentTypes.Enqueue(type);
        });
        next(app);
    };
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExporterHostCollection
{
    public const string Name = "exporter host";
}
