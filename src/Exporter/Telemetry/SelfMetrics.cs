using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using RelayExporter.Telemetry.Catalog;

namespace RelayExporter.Telemetry;

/// <summary>
/// The exporter's own process and runtime metrics, as every Prometheus exporter has them: CPU, resident memory, open
/// file descriptors (the process instrumentation), GC and thread pool (the runtime's own meter). <see cref="View"/> keeps
/// what an operator uses (<see cref="MetricCatalog.Kept"/>), drops the rest (JIT figures are empty in the Native AOT binary; the runtime's own CPU and
/// working set repeat the process instrumentation's), and renames the gauges whose names end in <c>.count</c>, which
/// Prometheus reserves for histograms (promtool rejects them), after the names Prometheus' own process collector uses.
/// </summary>
public sealed class SelfMetrics : IDisposable
{
    public const string MeterName = "RelayExporter.Runtime";

    /// <summary>Source meter → source instrument name → the catalog's metric it is kept as.</summary>
    private static readonly Dictionary<string, Dictionary<string, MetricDefinition>> Kept = MetricCatalog.Kept
        .GroupBy(m => m.Source!.Value.Meter)
        .ToDictionary(g => g.Key, g => g.ToDictionary(m => m.Source!.Value.Instrument));

    private readonly Meter _meter = new(MeterName);

    public SelfMetrics()
    {
        // The runtime's dotnet.thread_pool.thread.count and dotnet.thread_pool.queue.length are observable counters
        // (dotnet/runtime#126167), so they would be exported as ever-growing counters; these are the same values as gauges.
        MetricCatalog.ThreadPoolThreads.ObservableUpDownCounter(_meter, () => (long)ThreadPool.ThreadCount);
        MetricCatalog.ThreadPoolQueueLength.ObservableUpDownCounter(_meter, () => ThreadPool.PendingWorkItemCount);
    }

    /// <summary>The stream for one of the runtime's or the process instrumentation's instruments; null for any other.</summary>
    public static MetricStreamConfiguration? View(Instrument instrument) =>
        !Kept.TryGetValue(instrument.Meter.Name, out var kept) ? null
        : kept.TryGetValue(instrument.Name, out var metric) ? new MetricStreamConfiguration { Name = metric.Name }
        : MetricStreamConfiguration.Drop;

    public void Dispose() => _meter.Dispose();
}
