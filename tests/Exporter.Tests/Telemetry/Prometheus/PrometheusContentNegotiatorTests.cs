using RelayExporter.Telemetry.Prometheus;

namespace RelayExporter.Tests.Telemetry.Prometheus;

public sealed class PrometheusContentNegotiatorTests
{
    public const string PrometheusAccept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    [Theory]
    [InlineData(PrometheusAccept, true)]
    [InlineData("application/openmetrics-text;version=0.0.1", true)]
    [InlineData("application/openmetrics-text", true)]
    [InlineData("Application/OpenMetrics-Text; Version=1.0.0", true)]
    [InlineData("text/plain;q=0.5, application/openmetrics-text;q=0.9", true)]
    [InlineData("application/openmetrics-text; version=\"1.0.0\"; charset=utf-8", true)]
    [InlineData("text/plain, application/openmetrics-text", true)] // equal quality: the explicitly named richer format
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("text/plain", false)]
    [InlineData("text/plain;version=0.0.4", false)]
    [InlineData("*/*", false)]
    [InlineData("application/*", true)]
    [InlineData("application/openmetrics-text;version=2.0.0, text/plain;q=0.1", false)] // unknown version
    [InlineData("application/openmetrics-text;q=0, */*", false)]
    [InlineData("application/openmetrics-text;q=0.5, text/plain;q=0.8", false)]
    [InlineData("application/json", false)] // nothing acceptable: text fallback
    [InlineData("text/plain,, ,application/openmetrics-text;q=0.1", false)] // empty list elements are legal
    public void Chooses_the_format(string? accept, bool openMetrics)
    {
        Assert.True(PrometheusContentNegotiator.TryNegotiate(accept, out var format, out var error), error);
        Assert.Equal(openMetrics ? PrometheusFormat.OpenMetrics100 : PrometheusFormat.Text004, format);
    }

    [Theory]
    [InlineData("text", "media range 'text' is missing '/' and a subtype")]
    [InlineData("text/", "media range 'text/' has an empty or invalid subtype")]
    [InlineData("/plain", "does not start with a type token")]
    [InlineData("*/plain", "a '*' type requires a '*' subtype")]
    [InlineData("text/plain;q=abc", "invalid q value 'abc'")]
    [InlineData("text/plain;q=1.5", "invalid q value '1.5'")]
    [InlineData("text/plain;q=0.12345", "invalid q value '0.12345'")]
    [InlineData("text/plain;version", "parameter 'version' of media range 'text/plain' has no '=value'")]
    [InlineData("text/plain;version=", "parameter 'version' of media range 'text/plain' has an empty value")]
    [InlineData("text/plain;v=\"0.0.4", "unterminated quoted string")]
    [InlineData("text/plain application/json", "unexpected character 'a'")]
    [InlineData("text/plain;=1", "parameter without a name")]
    public void Rejects_malformed_headers_with_a_precise_message(string accept, string expected)
    {
        Assert.False(PrometheusContentNegotiator.TryNegotiate(accept, out _, out var error));
        Assert.StartsWith("Malformed Accept header: ", error);
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("gzip", true)]
    [InlineData("gzip, deflate, br", true)]
    [InlineData("br;q=1.0, gzip;q=0.8", true)]
    [InlineData("*", true)]
    [InlineData("x-gzip", true)]
    [InlineData("gzip;q=0", false)]
    [InlineData("*, gzip;q=0", false)]
    [InlineData("identity", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Gzip_only_when_acceptable(string? acceptEncoding, bool gzip) =>
        Assert.Equal(gzip, GzipNegotiator.AllowsGzip(acceptEncoding));
}
