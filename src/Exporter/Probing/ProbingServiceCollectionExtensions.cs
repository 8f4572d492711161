using RelayExporter.Circuits;
using RelayExporter.Health;
using RelayExporter.Probing.Checks;
using RelayExporter.Probing.Http;
using RelayExporter.Protocols;
using RelayExporter.Spending;

namespace RelayExporter.Probing;

public static class ProbingServiceCollectionExtensions
{
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
        services.AddSingleton<ProbeResultStore>();
        services.AddSingleton<HealthBoard>();
        services.AddSingleton<CircuitBoard>();
        services.AddSingleton<ProbeHandler>();
        services.AddSingleton<RetryAfterGate>();
        services.AddSingleton<DailySpend>();
        services.AddHostedService<StateChangeLog>();
        services.AddSingleton<ProbeScheduler>();
        services.AddHostedService(provider => provider.GetRequiredService<ProbeScheduler>());
        return services;
    }
}
