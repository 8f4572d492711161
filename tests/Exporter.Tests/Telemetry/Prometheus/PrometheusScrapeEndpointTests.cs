using System.IO.Compression;
using System.Net;
using RelayExporter.Telemetry.Prometheus;

namespace RelayExporter.Tests.Telemetry.Prometheus;

public sealed class PrometheusScrapeEndpointTests
{
    [Fact]
    public async Task Prometheus_accept_header_gets_openmetrics()
    {
        await using var app = await StartWithCounterAsync();

        using var response = await app.ScrapeAsync(PrometheusContentNegotiatorTests.PrometheusAccept);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/openmetrics-text; version=1.0.0; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("# TYPE relay_requests counter\n", body);
        Assert.Contains($"relay_requests_total{{otel_scope_name=\"{app.Meter.Name}\",otel_scope_version=\"1.2.3\",route=\"/a\"}} 7\n", body);
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
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("# TYPE relay_requests_total counter\n", body);
        Assert.DoesNotContain("# EOF", body);
    }

    [Fact]
    public async Task Malformed_accept_is_a_400_naming_the_problem_without_a_stack_trace()
    {
        await using var app = await StartWithCounterAsync();

        using var response = await app.ScrapeAsync("text/plain;q=high");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            "Malformed Accept header: media range 'text/plain' has an invalid q value 'high' (expected a number from 0 to 1 with at most 3 decimals).\n",
            body);
        Assert.Equal(0, app.Exporter.CollectionCount); // rejected before collecting
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
        Assert.Equal(compressed.Length, response.Content.Headers.ContentLength);
        Assert.Equal(plain, body);
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
    public async Task Head_returns_headers_without_a_body()
    {
        await using var app = await StartWithCounterAsync();
        var expectedLength = System.Text.Encoding.UTF8.GetByteCount(await app.ScrapeTextAsync("text/plain"));

        using var response = await app.ScrapeAsync("text/plain", method: HttpMethod.Head);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(expectedLength, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Collection_failure_is_a_500_with_a_short_message_and_a_log_line()
    {
        await using var app = await ScrapeTestApp.StartAsync(attach: false); // no MeterProvider: Collect is never set

        using var response = await app.ScrapeAsync();
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("Metrics collection failed; see the exporter log for details.\n", body);
        var log = Assert.Single(app.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Contains("Prometheus scrape of /metrics failed", log.Message);
        Assert.Contains("not attached to a MeterProvider", log.Exception?.Message);

        using var again = await app.ScrapeAsync(); // the server survived and a failure was not cached
        Assert.Equal(HttpStatusCode.InternalServerError, again.StatusCode);
        Assert.Equal(2, app.Exporter.CollectionCount);
    }

    [Fact]
    public async Task Mapping_without_a_registered_exporter_fails_clearly()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapPrometheusScrapeEndpoint());
        Assert.Contains("AddSingleton(exporter)", error.Message);
    }

    private static async Task<ScrapeTestApp> StartWithCounterAsync()
    {
        var app = await ScrapeTestApp.StartAsync();
        app.Meter.CreateCounter<long>("relay.requests", "{request}", "Requests").Add(7, new KeyValuePair<string, object?>("route", "/a"));
        return app;
    }
}
