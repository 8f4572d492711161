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
using RelayExporter.Telemetry.Prometheus;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Telemetry.Prometheus;

/// <summary>
/// A minimal Kestrel app on 127.0.0.1 (port chosen by the OS) wired like the host: exporter → BaseExportingMetricReader,
/// exporter registered as a singleton, <c>MapPrometheusScrapeEndpoint</c>. Records the Content-Type of every scrape
/// response and the log lines written.
/// </summary>
internal sealed class ScrapeTestApp : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly OpenTelemetrySdk? sdk;

    private ScrapeTestApp(
        WebApplication app, OpenTelemetrySdk? sdk, PrometheusScrapeExporter exporter, Meter meter, TestLoggerProvider logs,
        ConcurrentQueue<string> contentTypes, ConcurrentQueue<string> contentEncodings)
    {
        ScrapeContentTypes = contentTypes;
        ScrapeContentEncodings = contentEncodings;
        this.app = app;
        this.sdk = sdk;
        Exporter = exporter;
        Meter = meter;
        Logs = logs;
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

    public PrometheusScrapeExporter Exporter { get; }

    public TestLoggerProvider Logs { get; }

    /// <summary>Content-Type of each response from the scrape path, in order.</summary>
    public ConcurrentQueue<string> ScrapeContentTypes { get; }

    /// <summary>Content-Encoding of each response from the scrape path ("identity" when none), in order.</summary>
    public ConcurrentQueue<string> ScrapeContentEncodings { get; }

    /// <summary>
    /// Starts the app. <paramref name="attach"/> false leaves the exporter without a MeterProvider (collection fails);
    /// <paramref name="cardinalityLimit"/> raises the SDK's series limit per instrument (2,000 by default).
    /// </summary>
    public static async Task<ScrapeTestApp> StartAsync(
        PrometheusScrapeOptions? options = null, bool attach = true, Action<ResourceBuilder>? resource = null, int? cardinalityLimit = null)
    {
        var meter = new Meter("Relay.Tests.Prometheus." + Guid.NewGuid().ToString("N"), "1.2.3");
        var exporter = new PrometheusScrapeExporter(options ?? new PrometheusScrapeOptions());
        var sdk = attach
            ? OpenTelemetrySdk.Create(b => b
                .ConfigureResource(r => (resource ?? (rb => rb.AddService("relay-tests")))(r))
                .WithMetrics(m =>
                {
                    m.AddMeter(meter.Name).AddReader(new BaseExportingMetricReader(exporter));
                    if (cardinalityLimit is { } limit)
                    {
                        m.AddView(_ => new MetricStreamConfiguration { CardinalityLimit = limit });
                    }
                }))
            : null;

        var logs = new TestLoggerProvider();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddSingleton(exporter);
        var app = builder.Build();

        var contentTypes = new ConcurrentQueue<string>();
        var contentEncodings = new ConcurrentQueue<string>();
        app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                if (context.Request.Path == "/metrics")
                {
                    contentTypes.Enqueue(context.Response.ContentType ?? "(none)");
                    contentEncodings.Enqueue(context.Response.Headers.ContentEncoding.ToString() is { Length: > 0 } encoding ? encoding : "identity");
                }

                return Task.CompletedTask;
            });
            await next(context);
        });
        app.MapPrometheusScrapeEndpoint("/metrics");

        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            sdk?.Dispose();
            meter.Dispose();
            throw;
        }

        return new ScrapeTestApp(app, sdk, exporter, meter, logs, contentTypes, contentEncodings);
    }

    /// <summary>GET /metrics with the given Accept (none when null).</summary>
    public async Task<HttpResponseMessage> ScrapeAsync(string? accept = null, string? acceptEncoding = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, "/metrics");
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
        sdk?.Dispose();
        Exporter.Dispose();
        Meter.Dispose();
    }
}
