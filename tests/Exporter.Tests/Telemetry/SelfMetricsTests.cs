using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Telemetry;

[Collection(ExporterHostCollection.Name)]
public class SelfMetricsTests
{
    [Fact]
    public async Task The_exporter_reports_its_own_process_runtime_and_probe_slots()
    {
        await using var exporter = await ExporterHost.StartAsync(TestConfigs.UnreachableTarget("offline"));
        using var client = exporter.CreateClient();

        var text = await client.GetStringAsync("/metrics");
        var metrics = ScrapedMetrics.Parse(text);

        // The file descriptors this process really has open: the count comes from /proc, not from a constant.
        var openFds = Directory.GetFileSystemEntries("/proc/self/fd").Length;
        var reported = metrics.Find("process_open_fds")!.Value;
        Assert.InRange(reported, openFds / 2.0, openFds * 2.0);
        Assert.True(metrics.Find("process_memory_usage_bytes")!.Value > 10_000_000, "resident memory of a .NET process is more than 10 MB");
        Assert.Contains(metrics.Named("process_cpu_time_seconds_total"), s => s.Labels["cpu_mode"] == "user" && s.Value > 0);
        Assert.Contains(metrics.Named("dotnet_gc_collections_total"), s => s.Labels["gc_heap_generation"] == "gen0");
        // The thread pool's thread count and queue are gauges (the runtime publishes them as counters).
        Assert.Contains("# TYPE dotnet_thread_pool_threads gauge\n", text);
        Assert.Contains("# TYPE dotnet_thread_pool_queue_length gauge\n", text);
        Assert.True(metrics.Find("dotnet_thread_pool_threads")!.Value >= 1);
        // The saturation alert compares probes in flight with this (probing.max_concurrency, 64 unless configured).
        Assert.Equal(64, metrics.Find("relay_exporter_probes_max_concurrency")!.Value);
    }
}
