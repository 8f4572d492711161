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

        // Never early; and late only by machine noise. Noise only adds, and other test projects share the machine (a
        // median was seen 17 ms late under their load), so the fastest sample is the one bounded: a simulator that adds
        // anything beyond the delay is late in every sample.
        var report = string.Join(", ", samples.Select(s => $"{s.Headers:F2}/{s.Total:F2}"));
        Assert.All(samples, s => Assert.True(s.Headers >= delayMs, $"headers before the {delayMs} ms delay: {report}"));
        var fastest = samples.Min(s => s.Total);
        Assert.True(fastest <= delayMs + ToleranceMs, $"fastest response time {fastest:F2} ms for a {delayMs} ms delay: {report}");
    }

    [Fact]
    public async Task A_relay_with_an_added_delay_answers_every_chat_and_stream_that_much_later_and_its_lists_at_once()
    {
        // relay-b of the default fleet adds 400 ms; a slow fault comes on top of it.
        await _sim.SetFaultAsync("relay-b", "claude-sonnet-4.5", """{"kind":"slow","delay_ms":100}""");

        var chat = await HeadersAfterAsync(TestHttp.Chat(_sim, "relay-b", "gpt-4.1"));
        var stream = await HeadersAfterAsync(TestHttp.Chat(_sim, "relay-b", "gpt-4.1", stream: true));
        var slowed = await HeadersAfterAsync(TestHttp.Chat(_sim, "relay-b", "claude-sonnet-4.5", stream: true));
        var models = await HeadersAfterAsync(TestHttp.Models(_sim, "relay-b"));
        var direct = await HeadersAfterAsync(TestHttp.Chat(_sim, "openai", "gpt-4.1", stream: true));

        Assert.InRange(chat, 400, 400 + 10 * ToleranceMs);
        Assert.InRange(stream, 400, 400 + 10 * ToleranceMs);
        Assert.InRange(slowed, 500, 500 + 10 * ToleranceMs);
        Assert.True(models < 400, $"the models list waited {models:F2} ms");
        Assert.True(direct < 400, $"the provider waited {direct:F2} ms");
    }

    private async Task<double> HeadersAfterAsync(HttpRequestMessage request)
    {
        using (request)
        {
            var stopwatch = Stopwatch.StartNew();
            using var response = await _sim.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var elapsed = stopwatch.Elapsed.TotalMilliseconds;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsByteArrayAsync();
            return elapsed;
        }
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
