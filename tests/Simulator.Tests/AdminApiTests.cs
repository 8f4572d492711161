using System.Net;
using System.Text;
using System.Text.Json;

namespace RelayExporter.Simulator.Tests;

public sealed class AdminApiTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => sim.ClearFaultsAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Targets_lists_every_target_with_its_url_models_and_faults()
    {
        await sim.SetFaultAsync("relay-a", null, """{"kind":"down"}""");
        await sim.SetFaultAsync("gemini", "gemini-2.5-pro", """{"kind":"stream_cut"}""");

        var targets = (await sim.GetJsonAsync(sim.Admin("/_sim/targets"))).GetProperty("targets").EnumerateArray().ToList();

        Assert.Equal(DefaultTargets.All.Select(t => t.Name), targets.Select(t => t.GetProperty("name").GetString()));
        foreach (var (target, definition) in targets.Zip(DefaultTargets.All))
        {
            Assert.Equal(sim.Host.TargetUrl(definition.Name).GetLeftPart(UriPartial.Authority), target.GetProperty("url").GetString());
            Assert.Equal(definition.Models, target.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
            Assert.Equal(definition.Protocol.ToWire(), target.GetProperty("protocol").GetString());
            Assert.Equal(definition.Kind.ToWire(), target.GetProperty("kind").GetString());
        }
        var relay = targets[0];
        Assert.False(relay.GetProperty("listening").GetBoolean());
        Assert.Equal("""[{"model":null,"kind":"down","mode":"refused"}]""", relay.GetProperty("faults").GetRawText());
        var gemini = targets.Single(t => t.GetProperty("name").GetString() == "gemini");
        Assert.Equal("""[{"model":"gemini-2.5-pro","kind":"stream_cut","after_chunks":1}]""", gemini.GetProperty("faults").GetRawText());
    }

    [Fact]
    public async Task Delete_all_clears_every_fault_and_reopens_refused_ports()
    {
        await sim.SetFaultAsync("relay-b", null, """{"kind":"down"}""");
        await sim.SetFaultAsync("anthropic", "claude-sonnet-4.5", """{"kind":"unauthorized"}""");

        await sim.ClearFaultsAsync();

        var targets = (await sim.GetJsonAsync(sim.Admin("/_sim/targets"))).GetProperty("targets").EnumerateArray().ToList();
        Assert.All(targets, t => Assert.Equal(0, t.GetProperty("faults").GetArrayLength()));
        Assert.All(targets, t => Assert.True(t.GetProperty("listening").GetBoolean()));
        using var response = await sim.Http.SendAsync(TestHttp.Chat(sim, "anthropic", "claude-sonnet-4.5"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/_sim/faults/relay-z", """{"kind":"slow","delay_ms":1}""", 404, "unknown target 'relay-z'")]
    [InlineData("/_sim/faults/openai/gpt-5", """{"kind":"slow","delay_ms":1}""", 404, "target 'openai' has no model 'gpt-5'")]
    [InlineData("/_sim/faults/openai", """{"kind":"explode"}""", 400, "unknown fault kind 'explode'")]
    [InlineData("/_sim/faults/openai", """{"delay_ms":1}""", 400, "needs a string 'kind'")]
    [InlineData("/_sim/faults/openai", """{"kind":"slow"}""", 400, "fault 'slow' needs parameter 'delay_ms'")]
    [InlineData("/_sim/faults/openai", """{"kind":"slow","delay_ms":"fast"}""", 400, "'delay_ms' of fault 'slow' must be an integer")]
    [InlineData("/_sim/faults/openai", """{"kind":"slow","delay_ms":-5}""", 400, "'delay_ms' of fault 'slow' must be between 0 and 600000")]
    [InlineData("/_sim/faults/openai", """{"kind":"slow","delay_ms":5,"jitter":2}""", 400, "fault 'slow' has no parameter 'jitter'")]
    [InlineData("/_sim/faults/openai", """{"kind":"down","mode":"sideways"}""", 400, "'mode' of fault 'down' must be one of refused, reset")]
    [InlineData("/_sim/faults/openai/gpt-4.1", """{"kind":"down"}""", 400, "cannot be set for one model")]
    [InlineData("/_sim/faults/openai", """{"kind":"status","status":404}""", 400, "'status' of fault 'status' must be one of 500, 502, 503")]
    [InlineData("/_sim/faults/openai", """{"kind":"status","status":500,"overloaded":true}""", 400, "'overloaded' of fault 'status' needs status 503")]
    [InlineData("/_sim/faults/openai", """{"kind":"model_removed"}""", 400, "fault 'model_removed' applies to one model")]
    [InlineData("/_sim/faults/openai", """{"kind":"model_substituted","model":"x"}""", 400, "fault 'model_substituted' applies to one model")]
    [InlineData("/_sim/faults/openai", """{"kind":"provider_unavailable","provider":"openai"}""", 400, "needs a relay target")]
    [InlineData("/_sim/faults/relay-b", """{"kind":"provider_unavailable","provider":"google"}""", 400, "relay 'relay-b' has no upstream provider 'google'")]
    [InlineData("/_sim/faults/relay-b", """{"kind":"redirect","location":"/relative"}""", 400, "'location' of fault 'redirect' must be an absolute http(s) URL")]
    [InlineData("/_sim/faults/relay-b", """{"kind":"stream_cut","after_chunks":1.5}""", 400, "'after_chunks' of fault 'stream_cut' must be an integer")]
    [InlineData("/_sim/faults/relay-b", """{"kind":""", 400, "not valid JSON")]
    public async Task Invalid_faults_are_rejected_with_a_message_naming_the_problem(string path, string body, int status, string message)
    {
        using var response = await sim.Http.PutAsync(sim.Admin(path), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(message, (await response.JsonAsync()).GetProperty("error").GetString());
        var targets = (await sim.GetJsonAsync(sim.Admin("/_sim/targets"))).GetProperty("targets").EnumerateArray();
        Assert.All(targets, t => Assert.Equal(0, t.GetProperty("faults").GetArrayLength()));
    }

    [Theory]
    [InlineData("/_sim/faults/nope", "unknown target 'nope'")]
    [InlineData("/_sim/faults/openai/claude-sonnet-4.5", "target 'openai' has no model 'claude-sonnet-4.5'")]
    [InlineData("/_sim/requests/nope", "unknown target 'nope'")]
    public async Task Deleting_for_an_unknown_target_or_model_is_404(string path, string message)
    {
        using var response = await sim.Http.DeleteAsync(sim.Admin(path));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(message, (await response.JsonAsync()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Requests_records_what_each_target_received_without_credentials()
    {
        using (var clear = await sim.Http.DeleteAsync(sim.Admin("/_sim/requests/gemini")))
            Assert.Equal(HttpStatusCode.NoContent, clear.StatusCode);

        using (await sim.Http.SendAsync(TestHttp.Chat(sim, "gemini", "gemini-2.5-flash", stream: true))) { }
        using (await sim.Http.GetAsync(sim.Url("gemini", "/v1beta/models?key=goog-query-secret"))) { }
        using (await sim.Http.GetAsync(sim.Url("gemini", "/v1beta/models"))) { }

        using var log = await sim.Http.GetAsync(sim.Admin("/_sim/requests/gemini"));
        var text = await log.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret", text);
        var requests = JsonDocument.Parse(text).RootElement.GetProperty("requests").EnumerateArray().ToList();
        Assert.Equal(3, requests.Count);
        Assert.Equal(["POST", "GET", "GET"], requests.Select(r => r.GetProperty("method").GetString()));
        Assert.Equal("/v1beta/models/gemini-2.5-flash:streamGenerateContent", requests[0].GetProperty("path").GetString());
        Assert.Equal("gemini-2.5-flash", requests[0].GetProperty("model").GetString());
        Assert.True(requests[0].GetProperty("stream").GetBoolean());
        Assert.Equal([true, true, false], requests.Select(r => r.GetProperty("auth_present").GetBoolean()));
        Assert.All(requests, r => Assert.True(DateTimeOffset.TryParse(r.GetProperty("time").GetString(), out _)));

        using (await sim.Http.DeleteAsync(sim.Admin("/_sim/requests/gemini"))) { }
        var cleared = await sim.GetJsonAsync(sim.Admin("/_sim/requests/gemini"));
        Assert.Equal(0, cleared.GetProperty("requests").GetArrayLength());
    }

    [Fact]
    public async Task Unknown_admin_paths_are_404_with_a_hint()
    {
        using var response = await sim.Http.GetAsync(sim.Admin("/_sim/nothing"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("/_sim/targets", (await response.JsonAsync()).GetProperty("error").GetString());
    }
}
