using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace RelayExporter.Telemetry.Prometheus;

/// <summary>
/// Pull exporter behind the Prometheus scrape endpoint. Attach it with
/// <c>AddReader(new BaseExportingMetricReader(exporter))</c>, register the same instance as a singleton and map the
/// endpoint with <see cref="PrometheusScrapeEndpointRouteBuilderExtensions.MapPrometheusScrapeEndpoint"/>.
/// </summary>
[ExportModes(ExportModes.Pull)]
public sealed class PrometheusScrapeExporter : BaseExporter<Metric>, IPullMetricExporter
{
    // One shared collection per format and encoding: scrapes of the same kind share a render, each kind renders its own.
    private static readonly bool[] PlainAndGzip = [false, true];
    private readonly SharedCollection<SegmentedBuffer>[] collections;
    private readonly int collectionTimeoutMilliseconds;
    private readonly object collectGate = new();
    private PrometheusFormat renderingFormat;
    private bool renderingGzip;
    private bool discarding;
    private SegmentedBuffer? rendered;

    /// <summary>Creates the exporter.</summary>
    public PrometheusScrapeExporter(PrometheusScrapeOptions options)
        : this(options, TimeProvider.System)
    {
    }

    internal PrometheusScrapeExporter(PrometheusScrapeOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        Options = options;
        collectionTimeoutMilliseconds = options.CollectionTimeout == Timeout.InfiniteTimeSpan
            ? Timeout.Infinite
            : (int)options.CollectionTimeout.TotalMilliseconds;
        collections = Enum.GetValues<PrometheusFormat>()
            .SelectMany(format => PlainAndGzip.Select(gzip =>
                new SharedCollection<SegmentedBuffer>(() => CollectNow(format, gzip), options.CacheDuration, timeProvider)))
            .ToArray();
    }

    /// <summary>Set by the <see cref="BaseExportingMetricReader"/> this exporter is attached to.</summary>
    public Func<int, bool>? Collect { get; set; }

    internal PrometheusScrapeOptions Options { get; }

    /// <summary>Collections started so far (shared and cached scrapes do not start one).</summary>
    internal int CollectionCount => collections.Sum(c => c.CollectionCount);

    /// <summary>Scrapes that joined a collection another scrape had started.</summary>
    internal int JoinedScrapeCount => collections.Sum(c => c.JoinedCount);

    /// <summary>Renders the batch while it is valid (only for the duration of this call).</summary>
    public override ExportResult Export(in Batch<Metric> batch)
    {
        if (discarding)
        {
            return ExportResult.Success;
        }

        var metrics = new List<Metric>();
        foreach (var metric in batch)
        {
            metrics.Add(metric);
        }

        rendered = Render(metrics);
        return ExportResult.Success;
    }

    /// <summary>
    /// Returns a rendered collection in <paramref name="format"/>, gzipped or not: a new one, the one in progress, or a
    /// cached one (<see cref="PrometheusScrapeOptions.CacheDuration"/>). Cancelling stops waiting, not the shared collection.
    /// </summary>
    internal Task<SegmentedBuffer> ScrapeAsync(PrometheusFormat format, bool gzip, CancellationToken cancellationToken) =>
        collections[(int)format * 2 + (gzip ? 1 : 0)].GetAsync(cancellationToken);

    /// <summary>
    /// Runs a collection and renders nothing: after instruments are disposed, one collection makes the SDK drop their
    /// series. Returns false if there is no reader or it did not complete in time.
    /// </summary>
    internal bool CollectAndDiscard(int timeoutMilliseconds)
    {
        lock (collectGate)
        {
            discarding = true;
            try
            {
                return Collect?.Invoke(timeoutMilliseconds) ?? false;
            }
            finally
            {
                discarding = false;
            }
        }
    }

    private SegmentedBuffer CollectNow(PrometheusFormat format, bool gzip)
    {
        var collect = Collect ?? throw new InvalidOperationException(
            "PrometheusScrapeExporter is not attached to a MeterProvider: add it with AddReader(new BaseExportingMetricReader(exporter)).");

        // The reader runs one collection at a time and hands it to Export; the format travels with it through here.
        lock (collectGate)
        {
            renderingFormat = format;
            renderingGzip = gzip;
            rendered = null;
            if (!collect(collectionTimeoutMilliseconds))
            {
                throw new InvalidOperationException(
                    $"Metric collection did not complete (timeout {Options.CollectionTimeout}, or the MeterProvider was shut down).");
            }

            // No instruments at all: the SDK exports nothing, and the body is the resource alone.
            var body = rendered ?? Render([]);
            // Not kept here until the next scrape: a plain-text body is tens of megabytes.
            rendered = null;
            return body;
        }
    }

    private SegmentedBuffer Render(IReadOnlyList<Metric> metrics) =>
        PrometheusSerializer.Write(metrics, ParentProvider?.GetResource(), renderingFormat, Options.IncludeScopeLabels, renderingGzip);
}
