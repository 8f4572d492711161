using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RelayExporter.Sharding;
using RelayExporter.Circuits;
using RelayExporter.Configuration;
using RelayExporter.Hosting;
using RelayExporter.Probing;
using RelayExporter.Telemetry;

namespace RelayExporter.Tests.Infrastructure;

/// <summary>
/// The exporter's real probing components without the scheduler or a web server: by default a handler that records
/// nothing (its probes return their results); with <c>recordsScheduledProbes</c>, wired as the host wires them, so that
/// <see cref="ProbeHandler.RunAsync"/> records into the store, health and metrics.
/// </summary>
public sealed class ProbeRig : IDisposable
{
    private readonly ServiceProvider _services;

    /// <param name="recordsScheduledProbes">Wires the sinks as the host does (metrics among them); otherwise scheduled probes record nothing.</param>
    /// <param name="configure">Changes to the services as the host wires them (a test-only protocol in place of a real one).</param>
    public ProbeRig(ExporterOptions options, TimeProvider? time = null, bool recordsScheduledProbes = false, Action<IServiceCollection>? configure = null)
    {
        // Credentials are read when a configuration is loaded (validated); these options were built in code.
        var problems = new ConfigProblems("test.yml", new Dictionary<string, int>());
        foreach (var target in options.Targets) target.Credential?.Validate("credential", problems);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning).AddProvider(Logs));
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddSingleton(new RunningConfig("test.yml", options, time ?? TimeProvider.System));
        if (recordsScheduledProbes)
        {
            services.AddSingleton(BuildInfo.Current);
            services.AddSingleton(Shard.Whole);
            services.AddSingleton<CardinalityLimits>();
            services.AddSingleton<ExporterMetrics>();
            services.AddSingleton<InProcessScrape>();
            services.AddWiredProbing();
        }
        else
        {
            services.AddProbing();
            services.AddSingleton<IProbeCircuits, CircuitBoard>();
            services.AddSingleton(ProbeRecording.Nothing);
        }
        configure?.Invoke(services);
        _services = services.BuildServiceProvider();
        Options = options;
    }

    public ExporterOptions Options { get; }

    /// <summary>What the probing components logged, warnings and above.</summary>
    public TestLoggerProvider Logs { get; } = new();
    public ProbeHandler Handler => _services.GetRequiredService<ProbeHandler>();

    public ProbeJob Job(string target, string check, string? model = null) =>
        ProbePlan.From(Options).Single(j => j.Key == new ProbeKey(target, check, model));

    /// <param name="transcribe">Also record what was said, as a debug probe does.</param>
    public Task<ProbeResult> ProbeAsync(string target, string check, string? model = null, bool transcribe = false) =>
        Handler.ExecuteAsync(Job(target, check, model), transcribe, CancellationToken.None);

    public void Dispose() => _services.Dispose();
}
