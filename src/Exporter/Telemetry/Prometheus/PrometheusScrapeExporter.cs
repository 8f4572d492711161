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
    private readonly SharedCollection<ScrapeSnapshot> collection;
    private readonly int collectionTimeoutMilliseconds;
    private ScrapeSnapshot? exported;

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
        collection = new SharedCollection<ScrapeSnapshot>(CollectNow, options.CacheDuration, timeProvider);
    }

    /// <summary>Set by the <see cref="BaseExportingMetricReader"/> this exporter is attached to.</summary>
    public Func<int, bool>? Collect { get; set; }

    internal PrometheusScrapeOptions Options { get; }

    /// <summary>Collections started so far (shared and cached scrapes do not start one).</summary>
    internal int CollectionCount => collection.CollectionCount;

    /// <summary>Scrapes that joined a collection another scrape had started.</summary>
    internal int JoinedScrapeCount => collection.JoinedCount;

    /// <summary>Copies the batch: it is only valid for the duration of this call.</summary>
    public override ExportResult Export(in Batch<Metric> batch)
    {
        Volatile.Write(ref exported, ScrapeSnapshotBuilder.Build(batch, ParentProvider?.GetResource()));
        return ExportResult.Success;
    }

    /// <summary>
    /// Returns the result of a collection: a new one, the one in progress, or a cached one
    /// (<see cref="PrometheusScrapeOptions.CacheDuration"/>). Cancelling stops waiting, not the shared collection.
    /// </summary>
    internal Task<ScrapeSnapshot> ScrapeAsync(CancellationToken cancellationToken) => collection.GetAsync(cancellationToken);

    private ScrapeSnapshot CollectNow()
    {
        var collect = Collect ?? throw new InvalidOperationException(
            "PrometheusScrapeExporter is not attached to a MeterProvider: add it with AddReader(new BaseExportingMetricReader(exporter)).");

        Volatile.Write(ref exported, null);
        if (!collect(collectionTimeoutMilliseconds))
        {
            throw new InvalidOperationException(
                $"Metric collection did not complete (timeout {Options.CollectionTimeout}, or the MeterProvider was shut down).");
        }

        return Interlocked.Exchange(ref exported, null)
            ?? new ScrapeSnapshot(ScrapeSnapshotBuilder.CopyResource(ParentProvider?.GetResource()), []);
    }
}
