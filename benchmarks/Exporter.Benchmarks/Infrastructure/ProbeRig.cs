using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Telemetry;

namespace RelayExporter.Benchmarks.Infrastructure;

/// <summary>The exporter's probing components wired as the host wires them, without the scheduler or a web server.</summary>
public sealed class ProbeRig : IDisposable
{
    private readonly ServiceProvider _services;

    public ProbeRig(string configPath)
    {
        var options = FleetConfig.Load(configPath);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new RunningConfig(configPath, options, TimeProvider.System));
        services.AddSingleton(BuildInfo.Current);
        services.AddSingleton<CardinalityLimits>();
        services.AddSingleton<ExporterMetrics>();
        services.AddSingleton<PrometheusReaderCollection>();
        services.AddProbing();
        _services = services.BuildServiceProvider();
        Jobs = ProbePlan.From(options);
    }

    public IReadOnlyList<ProbeJob> Jobs { get; }
    public ProbeHandler Handler => _services.GetRequiredService<ProbeHandler>();

    public void Dispose() => _services.Dispose();
}
