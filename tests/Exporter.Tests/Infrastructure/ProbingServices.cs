using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using RelayExporter.Sharding;
using RelayExporter.Configuration;
using RelayExporter.Hosting;
using RelayExporter.Probing;
using RelayExporter.Telemetry;

namespace RelayExporter.Tests.Infrastructure;

/// <summary>
/// The exporter's probing services (scheduler, handler, gates, health, circuits, spend, metrics), wired as the host wires
/// them, on the test's clock, with the test's checks in place of the real ones: a scheduler test drives time and sees
/// every probe without an upstream. Reloads go through the exporter's <see cref="ReloadReconciler"/>.
/// </summary>
public static class ProbingServices
{
    public static ServiceProvider Build(string configPath, TimeProvider time, ILoggerProvider logs, params IProbeCheck[] checks) =>
        Build(configPath, time, logs, _ => { }, checks);

    /// <param name="customise">Replaces services before the reconciler is made: a sharded configuration, a planner that counts its plans.</param>
    public static ServiceProvider Build(string configPath, TimeProvider time, ILoggerProvider logs, Action<IServiceCollection> customise, params IProbeCheck[] checks)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(logs));
        services.AddSingleton(time);
        services.AddSingleton<IHostApplicationLifetime, ApplicationLifetime>();
        services.AddSingleton(new RunningConfig(configPath, ConfigLoader.Load(configPath), time));
        services.AddSingleton(BuildInfo.Current);
        services.AddSingleton(Shard.Whole);
        services.AddSingleton<CardinalityLimits>();
        services.AddSingleton<ExporterMetrics>();
        services.AddSingleton<InProcessScrape>();
        services.AddWiredProbing();
        services.RemoveAll<IProbeCheck>();
        foreach (var check in checks) services.AddSingleton(check);
        services.AddSingleton<ReloadReconciler>();
        customise(services);
        var provider = services.BuildServiceProvider();
        provider.GetRequiredService<ReloadReconciler>(); // reloads reach the scheduler as in the exporter
        return provider;
    }

    public static ProbeScheduler Scheduler(this IServiceProvider services) =>
        services.GetServices<IHostedService>().OfType<ProbeScheduler>().Single();
}
