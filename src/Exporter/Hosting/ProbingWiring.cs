using RelayExporter.Circuits;
using RelayExporter.Health;
using RelayExporter.Probing;
using RelayExporter.Spending;
using RelayExporter.Telemetry;

namespace RelayExporter.Hosting;

public static class ProbingWiring
{
    /// <summary>
    /// Probing and what it reaches through its interfaces: the circuits, health, the day's spend and the metrics
    /// (<see cref="ExporterMetrics"/>, which the telemetry registers). The order of the gates and of the sinks is written here, once.
    /// </summary>
    public static IServiceCollection AddWiredProbing(this IServiceCollection services)
    {
        services.AddProbing();
        services.AddSingleton<CircuitBoard>();
        services.AddSingleton<IProbeCircuits>(provider => provider.GetRequiredService<CircuitBoard>());
        services.AddSingleton<HealthBoard>();
        services.AddSingleton<ITargetHealthView>(provider => provider.GetRequiredService<HealthBoard>());
        services.AddHostedService<StateChangeLog>();
        services.AddSingleton<DailySpend>();
        services.AddSingleton(provider => new ProbeGates(
        [
            provider.GetRequiredService<RetryAfterGate>(), // every check: the target asked us to wait
            provider.GetRequiredService<HealthBoard>(),    // paid checks: the target is down
            provider.GetRequiredService<DailySpend>(),     // paid checks: the day's budget is spent
        ]));
        services.AddSingleton(provider =>
        {
            var metrics = provider.GetRequiredService<ExporterMetrics>();
            return new ProbeRecording(
                everyProbe: [provider.GetRequiredService<DailySpend>()],
                scheduled:
                [
                    // Before health and metrics: a target that asks for a pause is degraded from this result on.
                    provider.GetRequiredService<RetryAfterGate>(),
                    // Before metrics: an instruments restart records the store's latest results again, this one included.
                    provider.GetRequiredService<ProbeResultStore>(),
                    // Before metrics: the state gauges a probe refreshes read the health it changed.
                    provider.GetRequiredService<HealthBoard>(),
                    metrics,
                ],
                activity: metrics);
        });
        return services;
    }
}
