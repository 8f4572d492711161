using System.Diagnostics;
using System.Net;

namespace RelayExporter.Simulator.Tests;

[CollectionDefinition(nameof(TimingCollection), DisableParallelization = true)]
public sealed class TimingCollection;

/// <summary>Runs alone (no parallel tests) so that the measured delays reflect the simulator, not CPU contention.</summary>
[Collection(nameof(TimingCollection))]
public sealed class SlowFaultTests : IAsyncLifetime
{
    private const int ToleranceMs = 15;
    private readonly SimulatorFixture _sim = new();

    public async Task InitializeAsync()
    {
        await _sim.InitializeAsync();
        for (var i = 0; i < 3; i++)
        {
            using var warmup = await _sim.Http.SendAsync(TestHttp.Chat(_sim, "openai", "gpt-4.1", stream: i % 2 == 0));
            await warmup.Content.ReadAsByteArrayAsync();
        }
    }

    public Task DisposeAsync() => _sim.DisposeAsync();

    [Theory]
    [InlineData(50)]
    [InlineData(250)]
    public async Task Slow_delays_the_response_headers_by_the_given_milliseconds(int delayMs)
    {
        await _sim.SetFaultAsync("openai", null, $$"""{"kind":"slow","delay_ms":{{delayMs}}}""");

        var samples = new List<(double Headers, double Total)>();
        for (var sample = 0; sample < 5; sample++)
        {
            using var request = TestHttp.Chat(_sim, "openai", "gpt-4.1");
            var stopwatch = Stopwatch.StartNew();
            using var response = await _sim.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var headers = stopwatch.Elapsed.TotalMilliseconds;
            await response.Content.ReadAsByteArrayAsync();
            samples.Add((headers, stopwatch.Elapsed.TotalMilliseconds));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Never early; and late only by machine noise, which a single sample may catch, so the median is bounded.
        var report = string.Join(", ", samples.Select(s => $"{s.Headers:F2}/{s.Total:F2}"));
        Assert.All(samples, s => Assert.True(s.Headers >= delayMs, $"headers before the {delayMs} ms delay: {report}"));
        var median = samples.Select(s => s.Total).Order().ElementAt(samples.Count / 2);
        Assert.True(median <= delayMs + ToleranceMs, $"median response time {median:F2} ms for a {delayMs} ms delay: {report}");
    }

    [Fact]
    public async Task Slow_token_delay_spaces_the_stream_frames()
    {
        await _sim.SetFaultAsync("relay-a", "gpt-4.1", """{"kind":"slow","delay_ms":20,"token_delay_ms":25}""");

        using var request = TestHttp.Chat(_sim, "relay-a", "gpt-4.1", stream: true);
        var stopwatch = Stopwatch.StartNew();
        using var response = await _sim.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(stopwatch.Elapsed.TotalMilliseconds >= 20);
        var arrivals = new List<double>();
        await foreach (var _ in Sse.ReadAsync(response)) arrivals.Add(stopwatch.Elapsed.TotalMilliseconds);

        Assert.Equal(10, arrivals.Count); // role, 7 tokens, finish, [DONE]
        // The server waits 25 ms before each frame after the first; one late read on the client can shorten a
        // single gap, so the span and the median gap are checked rather than every gap.
        var span = arrivals[^1] - arrivals[0];
        Assert.True(span >= 9 * 25 - 3, $"9 delayed frames arrived within {span:F2} ms");
        var gaps = arrivals.Zip(arrivals.Skip(1), (a, b) => b - a).Order().ToList();
        Assert.InRange(gaps[gaps.Count / 2], 24, 25 + ToleranceMs);
    }
}
