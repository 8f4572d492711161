using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RelayExporter.Configuration;
using RelayExporter.Hosting;
using RelayExporter.Probing;

namespace RelayExporter.Benchmarks.Infrastructure;

/// <summary>The exporter host as the executable builds it, on a free port, with its scheduler stopped: the benchmark sends every probe itself.</summary>
public static class UnscheduledExporter
{
    public static async Task<WebApplication> StartAsync(string configPath, ExporterOptions options)
    {
        var app = ExporterApp.Build(new CommandLine { ListenAddress = "127.0.0.1:0", LogLevel = LogLevel.Warning }, configPath, options);
        await app.StartAsync();
        // Stopped rather than left out: the reload reconciler takes the scheduler. Stopping waits for any probe it started,
        // so none runs during a measurement.
        await app.Services.GetServices<IHostedService>().OfType<ProbeScheduler>().Single().StopAsync(CancellationToken.None);
        return app;
    }
}
