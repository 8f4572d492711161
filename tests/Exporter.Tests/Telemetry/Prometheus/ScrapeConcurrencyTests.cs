using RelayExporter.Telemetry.Prometheus;
using RelayExporter.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace RelayExporter.Tests.Telemetry.Prometheus;

public sealed class ScrapeConcurrencyTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Concurrent_scrapes_share_one_collection()
    {
        const int scrapes = 8;
        await using var app = await ScrapeTestApp.StartAsync();
        var callbacks = 0;
        using var release = new ManualResetEventSlim();
        app.Meter.CreateObservableGauge("relay.slow", () =>
        {
            Interlocked.Increment(ref callbacks);
            release.Wait(Deadline); // holds the collection open until every scrape has joined it
            return 1;
        });

        Task<string>[] responses;
        try
        {
            responses = Enumerable.Range(0, scrapes).Select(_ => app.ScrapeTextAsync("text/plain")).ToArray();
            await Eventually.UntilAsync(() => app.Exporter.JoinedScrapeCount == scrapes - 1, Deadline,
                $"{scrapes - 1} scrapes to join the collection started by the first");
            Assert.Equal(1, Volatile.Read(ref callbacks));
        }
        finally
        {
            release.Set();
        }

        var bodies = await Task.WhenAll(responses);

        Assert.Equal(1, Volatile.Read(ref callbacks));
        Assert.Equal(1, app.Exporter.CollectionCount);
        Assert.All(bodies, body => Assert.Equal(bodies[0], body));
        Assert.Contains("relay_slow{otel_scope_name=", bodies[0]);
    }

    [Fact]
    public async Task Sequential_scrapes_collect_again_when_caching_is_off()
    {
        using var harness = new MeterHarness();
        var value = 0;
        harness.Meter.CreateObservableGauge("relay.value", () => Interlocked.Increment(ref value));

        var first = await harness.RenderAsync(PrometheusFormat.Text004);
        var second = await harness.RenderAsync(PrometheusFormat.Text004);

        Assert.Contains("relay_value 1\n", first);
        Assert.Contains("relay_value 2\n", second);
        Assert.Equal(2, harness.Exporter.CollectionCount);
    }

    [Fact]
    public async Task Cache_duration_reuses_a_collection_until_it_expires()
    {
        var time = new FakeTimeProvider();
        using var harness = new MeterHarness(new PrometheusScrapeOptions { CacheDuration = TimeSpan.FromSeconds(5), IncludeScopeLabels = false }, time);
        var value = 0;
        harness.Meter.CreateObservableGauge("relay.value", () => Interlocked.Increment(ref value));

        var first = await harness.RenderAsync(PrometheusFormat.Text004);
        time.Advance(TimeSpan.FromSeconds(4));
        var cached = await harness.RenderAsync(PrometheusFormat.Text004);
        time.Advance(TimeSpan.FromSeconds(2));
        var fresh = await harness.RenderAsync(PrometheusFormat.Text004);

        Assert.Contains("relay_value 1\n", first);
        Assert.Equal(first, cached);
        Assert.Contains("relay_value 2\n", fresh);
        Assert.Equal(2, harness.Exporter.CollectionCount);
    }

    [Fact]
    public async Task A_cancelled_waiter_does_not_cancel_the_shared_collection()
    {
        using var release = new ManualResetEventSlim();
        var collection = new SharedCollection<string>(() =>
        {
            release.Wait(Deadline);
            return "result";
        }, TimeSpan.Zero, TimeProvider.System);
        using var cancel = new CancellationTokenSource();

        var first = collection.GetAsync(cancel.Token);
        var second = collection.GetAsync(CancellationToken.None);
        await cancel.CancelAsync();
        release.Set();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal("result", await second);
        Assert.Equal(1, collection.CollectionCount);
    }

    [Fact]
    public async Task Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrometheusScrapeExporter(new PrometheusScrapeOptions { CacheDuration = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrometheusScrapeExporter(new PrometheusScrapeOptions { CollectionTimeout = TimeSpan.Zero }));
        using var infinite = new PrometheusScrapeExporter(new PrometheusScrapeOptions { CollectionTimeout = Timeout.InfiniteTimeSpan });
        await Assert.ThrowsAsync<InvalidOperationException>(() => infinite.ScrapeAsync(PrometheusFormat.Text004, gzip: false, CancellationToken.None)); // not attached
    }
}
