using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace RelayExporter.Simulator.Tests;

public sealed class FaultTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => sim.ClearFaultsAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Down_refused_closes_the_port_and_clearing_reopens_the_same_port()
    {
        var url = sim.Host.TargetUrl("relay-b");
        await sim.SetFaultAsync("relay-b", null, """{"kind":"down","mode":"refused"}""");

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => sim.Http.GetAsync(sim.Url("relay-b", "/health")));
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(error.InnerException).SocketErrorCode);
        Assert.False(sim.Host.Targets.Single(t => t.Name == "relay-b").IsListening);

        using (var clear = await sim.Http.DeleteAsync(sim.Admin("/_sim/faults/relay-b")))
            Assert.Equal(HttpStatusCode.NoContent, clear.StatusCode);
        Assert.Equal(url, sim.Host.TargetUrl("relay-b"));
        using var response = await sim.Http.GetAsync(sim.Url("relay-b", "/health"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Down_reset_aborts_each_connection_with_a_reset_and_no_response()
    {
        await sim.SetFaultAsync("openai", "gpt-4.1", """{"kind":"down","mode":"reset"}""");

        using var tcp = new TcpClient();
        var url = sim.Host.TargetUrl("openai");
        await tcp.ConnectAsync(url.Host, url.Port);
        var stream = tcp.GetStream();
        var body = """{"model":"gpt-4.1","messages":[]}""";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
        var buffer = new byte[1024];
        var read = await Assert.ThrowsAsync<IOException>(async () =>
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (await stream.ReadAsync(buffer, deadline.Token) > 0)
            {
            }
        });
        Assert.Equal(SocketError.ConnectionReset, Assert.IsType<SocketException>(read.InnerException).SocketErrorCode);

        using var other = await sim.Http.SendAsync(TestHttp.Chat(sim, "openai", "gpt-4.1-mini"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Theory]
    [InlineData("openai", "requests", "x-ratelimit-remaining-requests")]
    [InlineData("anthropic", "rate_limit_error", "anthropic-ratelimit-requests-remaining")]
    [InlineData("gemini", "RESOURCE_EXHAUSTED", null)]
    public async Task Rate_limited_answers_429_with_retry_after_and_no_headroom(string target, string errorType, string? remainingHeader)
    {
        await sim.SetFaultAsync(target, null, """{"kind":"rate_limited","retry_after_s":7,"retry_after_ms":6500}""");
        var model = DefaultTargets.All.Single(t => t.Name == target).Models[0];
        using var response = await sim.Http.SendAsync(TestHttp.Chat(sim, target, model));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("6500", response.Header("retry-after-ms"));
        Assert.Equal(errorType, TestHttp.ErrorType(target, await response.JsonAsync()));
        if (remainingHeader is not null) Assert.Equal("0", response.Header(remainingHeader));
    }

    [Theory]
    [InlineData("relay-a", 500, false, "server_error")]
    [InlineData("relay-a", 502, false, "server_error")]
    [InlineData("relay-a", 503, true, "server_error")]
    [InlineData("anthropic", 500, false, "api_error")]
    [InlineData("anthropic", 503, true, "overloaded_error")]
    [InlineData("gemini", 503, false, "UNAVAILABLE")]
    [InlineData("gemini", 500, false, "INTERNAL")]
    public async Task Status_answers_that_5xx_in_the_provider_shape(string target, int status, bool overloaded, string errorType)
    {
        await sim.SetFaultAsync(target, null, $$"""{"kind":"status","status":{{status}},"overloaded":{{(overloaded ? "true" : "false")}}}""");
        var model = DefaultTargets.All.Single(t => t.Name == target).Models[0];
        using var response = await sim.Http.SendAsync(TestHttp.Chat(sim, target, model));

        Assert.Equal(status, (int)response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(errorType, TestHttp.ErrorType(target, body));
        if (overloaded && target == "relay-a")
            Assert.Contains("The server is overloaded", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Overloaded_answers_529_with_Anthropic_overloaded_error()
    {
        await sim.SetFaultAsync("anthropic", null, """{"kind":"overloaded"}""");
        using var response = await sim.Http.SendAsync(TestHttp.Chat(sim, "anthropic", "claude-sonnet-4.5"));

        Assert.Equal(529, (int)response.StatusCode);
        Assert.Equal("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Garbage_is_a_200_json_response_that_is_neither_utf8_nor_json()
    {
        await sim.SetFaultAsync("relay-a", null, """{"kind":"garbage"}""");
        using var response = await sim.Http.SendAsync(TestHttp.Chat(sim, "relay-a", "gpt-4.1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(bytes.Length >= 256);
        Assert.Throws<DecoderFallbackException>(() => new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes));
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(bytes));
    }

    [Fact]
    public async Task Html_is_a_200_html_page()
    {
        await sim.SetFaultAsync("openai", null, """{"kind":"html"}""");
        using var response = await sim.Http.SendAsync(TestHttp.Models(sim, "openai"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<!DOCTYPE html>", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("relay-a", "gpt-4.1", 3)]
    [InlineData("anthropic", "claude-sonnet-4.5", 4)]
    [InlineData("gemini", "gemini-2.5-flash", 2)]
    public async Task Stream_cut_sends_n_frames_then_aborts(string target, string model, int afterChunks)
    {
        await sim.SetFaultAsync(target, model, $$"""{"kind":"stream_cut","after_chunks":{{afterChunks}}}""");
        using var response = await sim.Http.SendAsync(TestHttp.Chat(sim, target, model, stream: true), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var received = new List<SseEvent>();
        await Assert.ThrowsAsync<HttpIOException>(async () =>
        {
            await foreach (var e in Sse.ReadAsync(response)) received.Add(e);
        });
        Assert.Equal(afterChunks, received.Count);
        Assert.DoesNotContain(received, e => e.Data == "[DONE]" || e.Event == "message_stop");
    }

    [Fact]
    public async Task Stream_cut_cuts_a_non_streaming_body_mid_json()
    {
        await sim.SetFaultAsync("openai", null, """{"kind":"stream_cut"}""");
        using var response = await sim.Http.SendAsync(TestHttp.Chat(sim, "openai", "gpt-4.1"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var stream = await response.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        await Assert.ThrowsAsync<HttpIOException>(() => stream.CopyToAsync(received));
        Assert.True(received.Length > 0);
        Assert.True(received.Length < response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Stream_hang_sends_n_frames_then_nothing_until_the_client_cancels()
    {
        await sim.SetFaultAsync("openai", null, """{"kind":"stream_hang","after_chunks":2}""");
        using var response = await sim.Http.SendAsync(TestHttp.Chat(sim, "openai", "gpt-4.1", stream: true), HttpCompletionOption.ResponseHeadersRead);

        using var cancel = new CancellationTokenSource();
        var received = new List<SseEvent>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in Sse.ReadAsync(response, cancel.Token))
            {
                received.Add(e);
                if (received.Count == 2) cancel.CancelAfter(TimeSpan.FromMilliseconds(300));
            }
        });
        var ended = await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.Same(reading, ended);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
        Assert.Equal(2, received.Count);

        // The hung request ended with the client: the target still answers promptly.
        await sim.ClearFaultsAsync();
        using var next = await sim.Http.SendAsync(TestHttp.Chat(sim, "openai", "gpt-4.1"));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Stream_hang_ends_when_the_simulator_stops()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Targets = [DefaultTargets.All.Single(t => t.Name == "anthropic")] });
        using var http = TestHttp.CreateClient();
        using (var put = await http.PutAsync(new Uri(host.AdminUrl, "/_sim/faults/anthropic"),
                   new StringContent("""{"kind":"stream_hang","after_chunks":1}""")))
            Assert.True(put.IsSuccessStatusCode);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.TargetUrl("anthropic"), "/v1/messages"))
        {
            Content = new StringContent("""{"model":"claude-sonnet-4.5","max_tokens":8,"stream":true,"messages":[]}"""),
        };
        request.Headers.Add("x-api-key", "k");
        request.Headers.Add("anthropic-version", "2023-06-01");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = Sse.ReadAsync(response).GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("message_start", events.Current.Event);

        var stopwatch = Stopwatch.StartNew();
        await host.DisposeAsync();
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1.5), $"stopping took {stopwatch.Elapsed}: the hung stream held it up");
        await Assert.ThrowsAnyAsync<IOException>(async () => await events.MoveNextAsync());
    }

    [Fact]
    public async Task Stream_error_carries_an_error_event_mid_stream_then_ends()
    {
        await sim.SetFaultAsync("anthropic", null, """{"kind":"stream_error"}""");
        await sim.SetFaultAsync("relay-a", null, """{"kind":"stream_error"}""");

        using var anthropic = await sim.Http.SendAsync(TestHttp.Chat(sim, "anthropic", "claude-sonnet-4.5", stream: true), HttpCompletionOption.ResponseHeadersRead);
        var events = await Sse.ReadAllAsync(anthropic);
        Assert.Equal("error", events[^1].Event);
        Assert.Equal("overloaded_error", events[^1].Json.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains(events, e => e.Event == "content_block_delta");
        Assert.DoesNotContain(events, e => e.Event == "message_stop");

        using var openai = await sim.Http.SendAsync(TestHttp.Chat(sim, "relay-a", "gpt-4.1", stream: true), HttpCompletionOption.ResponseHeadersRead);
        var frames = await Sse.ReadAllAsync(openai);
        Assert.True(frames[^1].Json.TryGetProperty("error", out var error));
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.True(frames.Count > 2);
        Assert.DoesNotContain(frames, e => e.Data == "[DONE]");
    }

    [Theory]
    [InlineData("relay-b", "invalid_request_error")]
    [InlineData("anthropic", "authentication_error")]
    [InlineData("gemini", "UNAUTHENTICATED")]
    public async Task Unauthorized_answers_401_in_the_provider_shape(string target, string errorType)
    {
        await sim.SetFaultAsync(target, null, """{"kind":"unauthorized"}""");
        using var response = await sim.Http.SendAsync(TestHttp.Models(sim, target));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(errorType, TestHttp.ErrorType(target, await response.JsonAsync()));
    }

    [Fact]
    public async Task Unauthorized_leaves_a_relays_health_document_alone_since_it_takes_no_credential()
    {
        await sim.SetFaultAsync("relay-a", null, """{"kind":"unauthorized"}""");

        var health = await sim.GetJsonAsync(sim.Url("relay-a", "/health"));
        Assert.Equal("ok", health.GetProperty("status").GetString());
        using var models = await sim.Http.SendAsync(TestHttp.Models(sim, "relay-a"));
        Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
    }

    [Theory]
    [InlineData("relay-a", "gemini-2.5-flash")]
    [InlineData("anthropic", "claude-haiku-4.5")]
    [InlineData("gemini", "gemini-2.5-pro")]
    public async Task Model_removed_leaves_the_models_list_and_gets_404(string target, string model)
    {
        await sim.SetFaultAsync(target, model, """{"kind":"model_removed"}""");

        using var list = await sim.Http.SendAsync(TestHttp.Models(sim, target));
        var listed = await list.Content.ReadAsStringAsync();
        Assert.DoesNotContain(model, listed);
        var others = DefaultTargets.All.Single(t => t.Name == target).Models.Where(m => m != model);
        Assert.All(others, m => Assert.Contains($"\"{(target == "gemini" ? "models/" : "")}{m}\"", listed));

        using var chat = await sim.Http.SendAsync(TestHttp.Chat(sim, target, model));
        Assert.Equal(HttpStatusCode.NotFound, chat.StatusCode);
        TestHttp.ErrorType(target, await chat.JsonAsync());
    }

    [Theory]
    [InlineData("relay-a", "gpt-4.1", "model")]
    [InlineData("anthropic", "claude-haiku-4.5", "model")]
    [InlineData("gemini", "gemini-2.5-pro", "modelVersion")]
    public async Task Model_substituted_answers_naming_the_other_model(string target, string model, string property)
    {
        await sim.SetFaultAsync(target, model, """{"kind":"model_substituted","model":"cheap-model-1"}""");

        using var chat = await sim.Http.SendAsync(TestHttp.Chat(sim, target, model));
        var answer = await chat.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal("cheap-model-1", answer.GetProperty(property).GetString());
        var other = DefaultTargets.All.Single(t => t.Name == target).Models.First(m => m != model);
        using var unaffected = await sim.Http.SendAsync(TestHttp.Chat(sim, target, other));
        Assert.Equal(other, (await unaffected.JsonAsync()).GetProperty(property).GetString());
    }

    [Fact]
    public async Task Provider_unavailable_degrades_the_relay_health_document()
    {
        await sim.SetFaultAsync("relay-a", null, """{"kind":"provider_unavailable","provider":"anthropic"}""");
        var health = await sim.GetJsonAsync(sim.Url("relay-a", "/health"));

        Assert.Equal("degraded", health.GetProperty("status").GetString());
        var providers = health.GetProperty("providers");
        Assert.False(providers.GetProperty("anthropic").GetProperty("available").GetBoolean());
        Assert.All(["openai", "google", "deepseek"], p => Assert.True(providers.GetProperty(p).GetProperty("available").GetBoolean()));

        var other = await sim.GetJsonAsync(sim.Url("relay-b", "/health"));
        Assert.Equal("ok", other.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Redirect_answers_with_the_given_status_and_location()
    {
        await sim.SetFaultAsync("relay-b", null, """{"kind":"redirect","location":"http://127.0.0.2:9/elsewhere","status":307}""");
        using var response = await sim.Http.SendAsync(TestHttp.Models(sim, "relay-b"));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(new Uri("http://127.0.0.2:9/elsewhere"), response.Headers.Location);
    }

    [Fact]
    public async Task A_model_level_fault_wins_over_the_target_level_fault_for_that_model_only()
    {
        await sim.SetFaultAsync("openai", null, """{"kind":"status","status":500}""");
        await sim.SetFaultAsync("openai", "gpt-4.1-mini", """{"kind":"status","status":502}""");

        using var mini = await sim.Http.SendAsync(TestHttp.Chat(sim, "openai", "gpt-4.1-mini"));
        using var full = await sim.Http.SendAsync(TestHttp.Chat(sim, "openai", "gpt-4.1"));
        using var models = await sim.Http.SendAsync(TestHttp.Models(sim, "openai"));
        Assert.Equal(HttpStatusCode.BadGateway, mini.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, full.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, models.StatusCode);

        using (var clear = await sim.Http.DeleteAsync(sim.Admin("/_sim/faults/openai")))
            Assert.Equal(HttpStatusCode.NoContent, clear.StatusCode);
        using var afterClear = await sim.Http.SendAsync(TestHttp.Chat(sim, "openai", "gpt-4.1"));
        using var stillFaulted = await sim.Http.SendAsync(TestHttp.Chat(sim, "openai", "gpt-4.1-mini"));
        Assert.Equal(HttpStatusCode.OK, afterClear.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, stillFaulted.StatusCode);
    }
}
