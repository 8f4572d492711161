using System.Diagnostics.Tracing;

namespace RelayExporter.Benchmarks.Infrastructure;

/// <summary>
/// What this process allocates, by type, from the runtime's allocation-tick events (one event per ~100 KB allocated,
/// naming the type that crossed the mark): a sample that finds where the garbage comes from, not an exact count.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<string, long> _bytesByType = new(StringComparer.Ordinal);

    /// <summary>Whether events are counted now (the listener cannot start before the runtime's source exists).</summary>
    public bool Sampling { get; set; }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource) EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!Sampling || eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true) return;
        var type = (string?)eventData.Payload![eventData.PayloadNames!.IndexOf("TypeName")] ?? "?";
        var bytes = Convert.ToInt64(eventData.Payload[eventData.PayloadNames.IndexOf("AllocationAmount64")]);
        lock (_bytesByType) _bytesByType[type] = _bytesByType.GetValueOrDefault(type) + bytes;
    }

    /// <summary>Prints the <paramref name="top"/> types by sampled bytes, each divided by <paramref name="per"/> (probes, scrapes).</summary>
    public void Print(int top, double per, string unit)
    {
        lock (_bytesByType)
            foreach (var (type, bytes) in _bytesByType.OrderByDescending(t => t.Value).Take(top))
                Console.WriteLine($"allocated {bytes / per / 1e3,9:F2} KB/{unit} {type}");
    }
}
