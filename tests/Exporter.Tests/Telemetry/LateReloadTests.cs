using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RelayExporter.Configuration;
using RelayExporter.Telemetry;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Telemetry;

/// <summary>
/// A reload can come after the exporter shut down (a change of the file seen just before): it must neither throw
/// where nobody observes it nor create instruments on metrics that were disposed. In the exporter host's collection:
/// the meter's name is every host's, and the test counts the instruments published under it.
/// </summary>
[Collection(ExporterHostCollection.Name)]
public sealed class LateReloadTests
{
    private static string Config(params string[] targets) =>
        "targets:\n" + string.Join("\n", targets.Select(t =>
            $"  - {{ name: {t}, protocol: openai, base_url: \"http://127.0.0.1:9\", checks: {{ models: {{ interval: 1h, timeout: 10s }} }} }}"));

    [Fact]
    public async Task A_reload_after_the_services_were_disposed_restarts_no_instruments_and_does_not_throw()
    {
        var path = Path.Combine(Path.GetTempPath(), $"late-reload-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(path, Config("kept", "removed"));
        try
        {
            var services = ProbingServices.Build(path, new FakeTimeProvider(TestClock.Start), new TestLoggerProvider());
            var config = services.GetRequiredService<RunningConfig>();
            services.GetRequiredService<ExporterMetrics>();
            await services.DisposeAsync();

            // A removed target: a reload that restarts the instruments, were the metrics still running.
            await File.WriteAllTextAsync(path, Config("kept"));
            var published = 0;
            using var listener = new MeterListener();
            var reloading = Environment.CurrentManagedThreadId;
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == ExporterMetrics.MeterName && Environment.CurrentManagedThreadId == reloading) published++;
            };
            listener.Start();
            var problems = config.Reload();

            Assert.Empty(problems);
            Assert.Equal(["kept"], config.Current.Targets.Select(t => t.Name));
            Assert.Equal(0, published);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
