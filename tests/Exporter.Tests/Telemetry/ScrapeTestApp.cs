using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using RelayExporter.Telemetry;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Telemetry;

/// <summary>
/// A minimal Kestrel app on 127.0.0.1 (port chosen by the OS) with the exporter's /metrics: OpenTelemetry's Prometheus
/// exporter with the exporter's options (<see cref="MetricsEndpoint"/>), over a meter of the test's own. Records the
/// Content-Type and Content-Encoding of every scrape response.
/// </summary>
internal sealed class ScrapeTestApp : IAsyncDisposable
{
    /// <summary>The Accept header Prometheus 2.x sends.</summary>
    public const string PrometheusAccept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    private readonly WebApplication app;

    private ScrapeTestApp(WebApplication app, Meter meter, ConcurrentQueue<string> contentTypes, ConcurrentQueue<string> contentEncodings)
    {
        ScrapeContentTypes = contentTypes;
        ScrapeContentEncodings = contentEncodings;
        this.app = app;
        Meter = meter;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        Client = new HttpClient(new HttpClientHandler { AutomaticDecompression = System.Net.DecompressionMethods.None })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public Uri BaseAddress { get; }

    public string HostPort => $"{BaseAddress.Host}:{BaseAddress.Port}";

    public HttpClient Client { get; }

    public Meter Meter { get; }

    /// <summary>Content-Type of each response from the scrape path, in order.</summary>
    public ConcurrentQueue<string> ScrapeContentTypes { get; }

    /// <summary>Content-Encoding of each response from the scrape path ("identity" when none), in order.</summary>
    public ConcurrentQueue<string> ScrapeContentEncodings { get; }

    /// <summary>
    /// Starts the app. <paramref name="cardinalityLimit"/> raises the SDK's series limit per instrument (2,000 by default);
    /// <paramref name="configure"/> adds to the MeterProvider (views).
    /// </summary>
    public static async Task<ScrapeTestApp> StartAsync(
        Action<ResourceBuilder>? resource = null, int? cardinalityLimit = null, Action<MeterProviderBuilder>? configure = null)
    {
        var meter = new Meter("Relay.Tests.Prometheus." + Guid.NewGuid().ToString("N"), "1.2.3");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => (resource ?? (rb => rb.AddService("relay-tests")))(r))
            .WithMetrics(m =>
            {
                m.AddMeter(meter.Name).AddPrometheusExporter(MetricsEndpoint.Configure);
                if (cardinalityLimit is { } limit)
                {
                    m.AddView(_ => new MetricStreamConfiguration { CardinalityLimit = limit });
                }

                configure?.Invoke(m);
            });
        var app = builder.Build();

        var contentTypes = new ConcurrentQueue<string>();
        var contentEncodings = new ConcurrentQueue<string>();
        app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                if (context.Request.Path == MetricsEndpoint.Path)
                {
                    contentTypes.Enqueue(context.Response.ContentType ?? "(none)");
                    contentEncodings.Enqueue(context.Response.Headers.ContentEncoding.ToString() is { Length: > 0 } encoding ? encoding : "identity");
                }

                return Task.CompletedTask;
            });
            await next(context);
        });
        app.MapMetricsEndpoint();

        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            meter.Dispose();
            throw;
        }

        return new ScrapeTestApp(app, meter, contentTypes, contentEncodings);
    }

    /// <summary>GET /metrics with the given Accept (none when null).</summary>
    public async Task<HttpResponseMessage> ScrapeAsync(string? accept = null, string? acceptEncoding = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, MetricsEndpoint.Path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        return await Client.SendAsync(request);
    }

    public async Task<string> ScrapeTextAsync(string? accept = null)
    {
        using var response = await ScrapeAsync(accept);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"scrape failed with {(int)response.StatusCode}: {body}");
        return body;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        Meter.Dispose();
    }
}
