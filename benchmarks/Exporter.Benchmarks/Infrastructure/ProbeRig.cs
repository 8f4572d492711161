using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Probing;

namespace RelayExporter.Benchmarks.Infrastructure;

/// <summary>The exporter's probing components without the scheduler, a web server or the telemetry: a handler whose probes return their results, recording nothing.</summary>
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
        services.AddProbing();
        services.AddSingleton<IProbeCircuits, CircuitBoard>();
        services.AddSingleton(ProbeRecording.Nothing);
        _services = services.BuildServiceProvider();
        Jobs = ProbePlan.From(options);
    }

    public IReadOnlyList<ProbeJob> Jobs { get; }
    public ProbeHandler Handler => _services.GetRequiredService<ProbeHandler>();

    public void Dispose() => _services.Dispose();
}
