using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RelayExporter.Telemetry.Prometheus;

/// <summary>Maps the Prometheus scrape endpoint.</summary>
public static class PrometheusScrapeEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps GET and HEAD on <paramref name="path"/> to a scrape of the <see cref="PrometheusScrapeExporter"/>
    /// registered in DI (<c>services.AddSingleton(exporter)</c>, the same instance given to the metric reader).
    /// </summary>
    /// <exception cref="InvalidOperationException">No <see cref="PrometheusScrapeExporter"/> is registered.</exception>
    public static IEndpointConventionBuilder MapPrometheusScrapeEndpoint(this IEndpointRouteBuilder endpoints, string path = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);

        var exporter = endpoints.ServiceProvider.GetService<PrometheusScrapeExporter>()
            ?? throw new InvalidOperationException(
                "MapPrometheusScrapeEndpoint needs a PrometheusScrapeExporter in DI: register the instance given to " +
                "BaseExportingMetricReader with services.AddSingleton(exporter).");
        var logger = endpoints.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger(typeof(PrometheusScrapeHandler).FullName!)
            ?? NullLogger.Instance;
        var handler = new PrometheusScrapeHandler(exporter, logger);

        return endpoints.MapMethods(path, [HttpMethods.Get, HttpMethods.Head], handler.HandleAsync)
            .WithDisplayName("Prometheus scrape endpoint");
    }
}
