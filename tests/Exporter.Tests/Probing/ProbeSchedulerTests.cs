using System.Text.Json;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Simulator;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Probing;

public class ProbeSchedulerTests
{
    private static ProbeJob Job(string target, TimeSpan interval) =>
        new(new TargetOptions { Name = target }, CheckNames.Models, null, new CheckOptions { Interval = interval, Timeout = TimeSpan.FromSeconds(1) });

    [Fact]
    public void Start_offsets_are_stable_within_the_interval_and_spread_across_it()
    {
        var interval = TimeSpan.FromSeconds(60);
        var offsets = Enumerable.Range(0, 600).Select(i => ProbeScheduler.Offset(Job($"target-{i}", interval))).ToList();

        Assert.All(offsets, o => Assert.InRange(o, TimeSpan.Zero, interval));
        Assert.Equal(offsets, Enumerable.Range(0, 600).Select(i => ProbeScheduler.Offset(Job($"target-{i}", interval))));
        // Spread: every tenth of the interval holds some of the 600 series, none more than twice its share.
        var perTenth = offsets.GroupBy(o => (int)(o / interval * 10)).Select(g => g.Count()).ToList();
        Assert.Equal(10, perTenth.Count);
        Assert.All(perTenth, count => Assert.InRange(count, 20, 120));
    }

    [Fact]
    public void A_probe_that_overran_skips_the_slots_it_missed()
    {
        var due = DateTimeOffset.UnixEpoch;
        var interval = TimeSpan.FromSeconds(10);

        Assert.Equal(due + interval, ProbeScheduler.NextDue(due, interval, due + TimeSpan.FromSeconds(3)));
        Assert.Equal(due + TimeSpan.FromSeconds(30), ProbeScheduler.NextDue(due, interval, due + TimeSpan.FromSeconds(25)));
        Assert.Equal(due + TimeSpan.FromSeconds(30), ProbeScheduler.NextDue(due, interval, due + TimeSpan.FromSeconds(20)));
    }
}

/// <summary>The scheduler in the running exporter, observed from the simulator's request log.</summary>
[Collection(ExporterHostCollection.Name)]
public class ScheduledProbingTests
{
    [Fact]
    public async Task Retry_after_is_honoured_and_the_skipped_probes_are_counted()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var admin = new HttpClient { BaseAddress = simulator.AdminUrl };
        (await admin.PutAsync("/_sim/faults/openai", new StringContent("""{"kind":"rate_limited","retry_after_s":3}"""))).EnsureSuccessStatusCode();
        await using var exporter = await StartExporterAsync(simulator, "models: { interval: 1s, timeout: 1s }");
        using var client = exporter.CreateClient();

        await Eventually.UntilAsync(async () => ScrapedMetrics.Parse(await client.GetStringAsync("/metrics"))
            .Find("relay_probes_skipped_total", ("target", "openai"), ("reason", "retry_after")) is { Value: >= 2 }, TimeSpan.FromSeconds(20), "two probes skipped for Retry-After");
        await Eventually.UntilAsync(async () => (await RequestTimes(admin, "openai")).Count >= 2, TimeSpan.FromSeconds(20), "a probe after the pause");

        var times = await RequestTimes(admin, "openai");
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, gap => Assert.True(gap >= TimeSpan.FromMilliseconds(2950), $"a probe came {gap.TotalMilliseconds} ms after a 429 asking for 3 s"));
    }

    [Fact]
    public async Task A_failure_is_confirmed_by_a_second_probe_long_before_the_next_interval()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var admin = new HttpClient { BaseAddress = simulator.AdminUrl };
        (await admin.PutAsync("/_sim/faults/openai", new StringContent("""{"kind":"status","status":500}"""))).EnsureSuccessStatusCode();
        await using var exporter = await StartExporterAsync(simulator, "models: { interval: 10s, timeout: 1s }", "probing: { confirmation_interval: 500ms }");

        await Eventually.UntilAsync(async () => (await RequestTimes(admin, "openai")).Count >= 2, TimeSpan.FromSeconds(20), "a confirmation probe");

        var times = await RequestTimes(admin, "openai");
        Assert.InRange(times[1] - times[0], TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Concurrency_is_bounded_across_all_series()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var admin = new HttpClient { BaseAddress = simulator.AdminUrl };
        foreach (var target in new[] { "openai", "relay-a", "relay-b" })
            (await admin.PutAsync($"/_sim/faults/{target}", new StringContent("""{"kind":"slow","delay_ms":300}"""))).EnsureSuccessStatusCode();
        await using var exporter = await StartExporterAsync(simulator, "models: { interval: 1s, timeout: 1s }", "probing: { max_concurrency: 1 }",
            extraTargets: ["relay-a", "relay-b"]);

        await Eventually.UntilAsync(async () => (await AllRequestTimes(admin, "openai", "relay-a", "relay-b")).Count >= 6, TimeSpan.FromSeconds(20), "six probes");

        // One at a time: each request arrives only after the previous 300 ms answer was complete.
        var times = await AllRequestTimes(admin, "openai", "relay-a", "relay-b");
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, gap => Assert.True(gap >= TimeSpan.FromMilliseconds(290), $"two probes overlapped: {gap.TotalMilliseconds} ms apart"));
    }

    private static async Task<ExporterHost> StartExporterAsync(SimulatorHost simulator, string models, string extra = "", string[]? extraTargets = null)
    {
        Environment.SetEnvironmentVariable("SCHEDULER_TEST_KEY", "sk-scheduler");
        var targets = new[] { "openai" }.Concat(extraTargets ?? []).Select(t =>
            $"  - {{ name: {t}, protocol: openai, base_url: \"{simulator.TargetUrl(t)}\", credential: {{ env: SCHEDULER_TEST_KEY }}, models: [gpt-4.1], checks: {{ {models} }} }}");
        return await ExporterHost.StartAsync($"targets:\n{string.Join("\n", targets)}\n{extra}\n");
    }

    private static async Task<List<DateTimeOffset>> AllRequestTimes(HttpClient admin, params string[] targets) =>
        (await Task.WhenAll(targets.Select(t => RequestTimes(admin, t)))).SelectMany(t => t).Order().ToList();

    private static async Task<List<DateTimeOffset>> RequestTimes(HttpClient admin, string target) =>
        JsonDocument.Parse(await admin.GetStringAsync($"/_sim/requests/{target}")).RootElement.GetProperty("requests").EnumerateArray()
            .Select(r => DateTimeOffset.Parse(r.GetProperty("time").GetString()!)).Order().ToList();
}
