using RelayExporter.Probing.Checks;
using RelayExporter.Probing.Http;
using RelayExporter.Protocols;

namespace RelayExporter.Probing;

public static class ProbingServiceCollectionExtensions
{
    /// <summary>
    /// Probing's own services. What its results go to, what its probes pass and their circuits (<see cref="ProbeRecording"/>,
    /// <see cref="ProbeGates"/>, <see cref="ITargetHealthView"/>, <see cref="IProbeCircuits"/>) the composition root adds.
    /// </summary>
    public static IServiceCollection AddProbing(this IServiceCollection services)
    {
        services.AddSingleton<ILlmProtocol, OpenAiProtocol>();
        services.AddSingleton<ILlmProtocol, AnthropicProtocol>();
        services.AddSingleton<ILlmProtocol, GeminiProtocol>();
        services.AddSingleton<ILlmProtocol, AzureOpenAiProtocol>();
        services.AddSingleton<ProtocolCatalog>();
        services.AddSingleton<IProbeCheck, HealthCheck>();
        services.AddSingleton<IProbeCheck, ModelsCheck>();
        services.AddSingleton<IProbeCheck, ChatCheck>();
        services.AddSingleton<IProbeCheck, StreamCheck>();
        services.AddSingleton<ProbeHttpClients>();
        services.AddSingleton<ProcessSecrets>();
        services.AddSingleton(new ProbePlanner(ProbePlan.From));
        services.AddSingleton<ProbeResultStore>();
        services.AddSingleton<ProbeHandler>();
        services.AddSingleton<RetryAfterGate>();
        services.AddSingleton<ProbeScheduler>();
        services.AddHostedService(provider => provider.GetRequiredService<ProbeScheduler>());
        return services;
    }
}
