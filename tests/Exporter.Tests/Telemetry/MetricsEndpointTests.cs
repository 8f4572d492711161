using System.IO.Compression;
using System.Net;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Telemetry;

/// <summary>/metrics as Prometheus and curl meet it: formats by Accept, gzip by Accept-Encoding, HEAD, the labels.</summary>
public sealed class MetricsEndpointTests
{
    private const string OpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores";
    private const string TextContentType = "text/plain; version=0.0.4; charset=utf-8";

    [Fact]
    public async Task Prometheus_accept_header_gets_openmetrics_without_scope_labels()
    {
        await using var app = await StartWithCounterAsync();

        using var response = await app.ScrapeAsync(ScrapeTestApp.PrometheusAccept);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(OpenMetricsContentType, response.Content.Headers.ContentType?.ToString());
        Assert.Contains("# TYPE relay_requests counter\n", body);
        Assert.Equal(7, ScrapedMetrics.Parse(body).Find("relay_requests_total", ("route", "/a"))!.Value);
        Assert.DoesNotContain("otel_scope_", body);
        Assert.EndsWith("# EOF\n", body);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData(null)]
    public async Task Plain_text_or_no_accept_gets_text_004(string? accept)
    {
        await using var app = await StartWithCounterAsync();

        using var response = await app.ScrapeAsync(accept);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TextContentType, response.Content.Headers.ContentType?.ToString());
        Assert.Contains("# TYPE relay_requests_total counter\n", body);
        Assert.Equal(7, ScrapedMetrics.Parse(body).Find("relay_requests_total", ("route", "/a"))!.Value);
        Assert.DoesNotContain("# EOF", body);
    }

    [Theory]
    [InlineData("text/plain;q=high")]                          // a quality that is not a number
    [InlineData("application/openmetrics-text;version=9.9.9")] // a version nobody serves
    [InlineData("@@@, ;;")]                                    // not a media range at all
    public async Task A_malformed_or_unservable_accept_gets_text_004_rather_than_an_error(string accept)
    {
        await using var app = await StartWithCounterAsync();

        using var response = await app.ScrapeAsync(accept);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TextContentType, response.Content.Headers.ContentType?.ToString());
        Assert.Equal(7, ScrapedMetrics.Parse(body).Find("relay_requests_total", ("route", "/a"))!.Value);
    }

    [Fact]
    public async Task Gzip_round_trips_and_varies_on_accept_encoding()
    {
        await using var app = await StartWithCounterAsync();
        var plain = await app.ScrapeTextAsync("text/plain");

        using var response = await app.ScrapeAsync("text/plain", acceptEncoding: "gzip");
        var compressed = await response.Content.ReadAsByteArrayAsync();
        await using var gunzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        var body = await new StreamReader(gunzip).ReadToEndAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Assert.Equal(WithoutTimestamps(plain), WithoutTimestamps(body));
    }

    [Fact]
    public async Task Without_accept_encoding_the_body_is_not_compressed()
    {
        await using var app = await StartWithCounterAsync();

        using var response = await app.ScrapeAsync("text/plain", acceptEncoding: "identity");

        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Contains("relay_requests_total", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Head_returns_the_headers_of_a_scrape_without_a_body()
    {
        await using var app = await StartWithCounterAsync();

        using var response = await app.ScrapeAsync("text/plain", method: HttpMethod.Head);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TextContentType, response.Content.Headers.ContentType?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    private static async Task<ScrapeTestApp> StartWithCounterAsync()
    {
        var app = await ScrapeTestApp.StartAsync();
        app.Meter.CreateCounter<long>("relay.requests", "{request}", "Requests").Add(7, new KeyValuePair<string, object?>("route", "/a"));
        return app;
    }

    /// <summary>Two scrapes' text, comparable: the text format ends each sample with the time it was collected.</summary>
    private static string WithoutTimestamps(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, @"^([^#\n][^\n]*?) \d+$", "$1", System.Text.RegularExpressions.RegexOptions.Multiline);
}
