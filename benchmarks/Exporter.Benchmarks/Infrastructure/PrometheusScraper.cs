namespace RelayExporter.Benchmarks.Infrastructure;

/// <summary>An HTTP client that scrapes as Prometheus does: its Accept header (OpenMetrics first) and gzip.</summary>
public static class PrometheusScraper
{
    /// <summary>Prometheus' Accept header: OpenMetrics first.</summary>
    public const string Accept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    public static HttpClient Create(TimeSpan timeout) =>
        new(new HttpClientHandler { AutomaticDecompression = System.Net.DecompressionMethods.GZip })
        {
            Timeout = timeout,
            DefaultRequestHeaders = { { "Accept", Accept } },
        };
}
