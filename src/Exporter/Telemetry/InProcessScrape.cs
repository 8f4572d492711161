using OpenTelemetry.Metrics;

namespace RelayExporter.Telemetry;

/// <summary>
/// One collection through the /metrics reader outside a scrape, its body thrown away: after instruments are disposed it
/// makes the SDK drop their series (see <see cref="ExporterMetrics"/>). OpenTelemetry's Prometheus reader is pull-only:
/// <see cref="MeterProvider"/>'s ForceFlush skips it and it collects for its own endpoint alone, so this serves that
/// endpoint one scrape in process, with nobody at the other end.
/// </summary>
public sealed class InProcessScrape
{
    // Null without a MeterProvider (test rigs that record without exporting).
    private readonly RequestDelegate? _scrape;

    public InProcessScrape(IServiceProvider services)
    {
        if (services.GetService<MeterProvider>() is not { } meterProvider) return;
        _scrape = new ApplicationBuilder(services)
            .UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider, _ => true, path: null, configureBranchedPipeline: null, optionsName: null)
            .Build();
    }

    /// <returns>False when there is nothing to collect, or the collection did not succeed in <paramref name="timeout"/>.</returns>
    internal bool CollectAndDiscard(TimeSpan timeout)
    {
        if (_scrape is null) return false;
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = MetricsEndpoint.Path;
        context.Request.Headers["X-Prometheus-Scrape-Timeout-Seconds"] = timeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Body = Stream.Null;
        // The endpoint answers a failed collection (the provider shut down with the host, say) with a status, not an exception.
        _scrape(context).GetAwaiter().GetResult();
        return context.Response.StatusCode == StatusCodes.Status200OK;
    }
}
