using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RelayExporter.Simulator;

/// <summary>Builds the small Kestrel apps the simulator runs: one per target and one for the admin API.</summary>
internal static class KestrelApp
{
    public static WebApplicationBuilder CreateBuilder(IPAddress address, int port, LogLevel logLevel, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Only SimulatorOptions configure the simulator: the appsettings.json or ASPNETCORE_* variables of a
        // test project hosting it must not add Kestrel endpoints or change logging.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        // stdout carries only the ready line, for whoever started the process.
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(logLevel);
        // Start-up failures (a port in use) reach the caller as exceptions; the host would log them again.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        // The simulator handles signals itself; each app must not stop on its own at Ctrl+C.
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(address, port, listen =>
            {
                if (certificate is not null) listen.UseHttps(certificate);
            });
        });
        return builder;
    }

    public static Uri BoundUrl(WebApplication app) => new(app.Urls.Single());

    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
