using RelayExporter.Probing.Checks;
using RelayExporter.Protocols;

namespace RelayExporter.Probing;

public static class ProbingServiceCollectionExtensions
{
    public const string HttpClientName = "probe";

    public static IServiceCollection AddProbing(this IServiceCollection services)
    {
        services.AddHttpClient(HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // Redirects are not followed: a probe reports what the target answered, and a credential must
                // never follow a redirect to another host.
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = System.Net.DecompressionMethods.All,
                PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            })
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan); // the probe handler owns the timeout
        services.AddSingleton<ILlmProtocol, OpenAiProtocol>();
        services.AddSingleton<ILlmProtocol, AnthropicProtocol>();
        services.AddSingleton<ILlmProtocol, GeminiProtocol>();
        services.AddSingleton<ProtocolCatalog>();
        services.AddSingleton<IProbeCheck>(provider => new ModelsCheck(
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            provider.GetRequiredService<Configuration.RunningConfig>()));
        services.AddSingleton<ProbeResultStore>();
        services.AddSingleton<ProbeHandler>();
        services.AddHostedService<ProbeScheduler>();
        return services;
    }
}
