using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace RelayExporter.Telemetry;

/// <summary>
/// The exporter's own process and runtime metrics, as every Prometheus exporter has them: CPU, resident memory, open
/// file descriptors (the process instrumentation), GC and thread pool (the runtime's own meter). <see cref="View"/> keeps
/// what an operator uses, drops the rest (JIT figures are empty in the Native AOT binary; the runtime's own CPU and
/// working set repeat the process instrumentation's), and renames the gauges whose names end in <c>.count</c>, which
/// Prometheus reserves for histograms (promtool rejects them), after the names Prometheus' own process collector uses.
/// </summary>
public sealed class SelfMetrics : IDisposable
{
    public const string MeterName = "RelayExporter.Runtime";
    private const string RuntimeMeter = "System.Runtime";
    private const string ProcessMeter = "OpenTelemetry.Instrumentation.Process";

    private static readonly HashSet<string> RuntimeKept =
    [
        "dotnet.gc.collections", "dotnet.gc.heap.total_allocated", "dotnet.gc.last_collection.memory.committed_size",
        "dotnet.gc.last_collection.heap.size", "dotnet.gc.last_collection.heap.fragmentation.size", "dotnet.gc.pause.time",
        "dotnet.thread_pool.work_item.count", "dotnet.monitor.lock_contentions", "dotnet.exceptions",
    ];

    private static readonly Dictionary<string, string> ProcessKept = new()
    {
        ["process.cpu.time"] = "process.cpu.time",
        ["process.memory.usage"] = "process.memory.usage",
        ["process.memory.virtual"] = "process.memory.virtual",
        ["process.unix.file_descriptor.count"] = "process.open_fds",
        ["process.thread.count"] = "process.threads",
    };

    private readonly Meter _meter = new(MeterName);

    public SelfMetrics()
    {
        // The runtime's dotnet.thread_pool.thread.count and dotnet.thread_pool.queue.length are observable counters
        // (dotnet/runtime#126167), so they would be exported as ever-growing counters; these are the same values as gauges.
        _meter.CreateObservableUpDownCounter("dotnet.thread_pool.threads", () => (long)ThreadPool.ThreadCount, "{thread}",
            "Thread pool threads that exist now.");
        _meter.CreateObservableUpDownCounter("dotnet.thread_pool.queue.length", () => ThreadPool.PendingWorkItemCount, "{work_item}",
            "Work items queued to the thread pool and not yet started.");
    }

    /// <summary>The stream for one of the runtime's or the process instrumentation's instruments; null for any other.</summary>
    public static MetricStreamConfiguration? View(Instrument instrument) => instrument.Meter.Name switch
    {
        RuntimeMeter => RuntimeKept.Contains(instrument.Name) ? new MetricStreamConfiguration() : MetricStreamConfiguration.Drop,
        ProcessMeter => ProcessKept.TryGetValue(instrument.Name, out var name) ? new MetricStreamConfiguration { Name = name } : MetricStreamConfiguration.Drop,
        _ => null,
    };

    public void Dispose() => _meter.Dispose();
}
