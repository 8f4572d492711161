namespace RelayExporter.Telemetry.Prometheus;

/// <summary>Options for <see cref="PrometheusScrapeExporter"/>.</summary>
public sealed class PrometheusScrapeOptions
{
    /// <summary>
    /// How long a completed collection is reused by later scrapes. <see cref="TimeSpan.Zero"/> (the default)
    /// disables caching: every scrape that does not overlap an in-progress collection triggers a new one.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How long one collection (including observable instrument callbacks) may take before the scrape fails with 500.
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables the limit. Default 10 seconds.
    /// </summary>
    public TimeSpan CollectionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Adds <c>otel_scope_name</c> and <c>otel_scope_version</c> (when set) labels naming the meter of every series,
    /// as the OpenTelemetry→Prometheus compatibility specification describes. Default true.
    /// </summary>
    public bool IncludeScopeLabels { get; set; } = true;

    internal void Validate()
    {
        if (CacheDuration < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CacheDuration), CacheDuration, "CacheDuration must not be negative.");
        }

        if (CollectionTimeout != Timeout.InfiniteTimeSpan
            && (CollectionTimeout <= TimeSpan.Zero || CollectionTimeout.TotalMilliseconds > int.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(CollectionTimeout), CollectionTimeout,
                "CollectionTimeout must be positive and at most int.MaxValue milliseconds, or Timeout.InfiniteTimeSpan.");
        }
    }
}
