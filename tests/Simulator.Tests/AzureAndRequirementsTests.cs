using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace RelayExporter.Simulator.Tests;

/// <summary>
/// Azure OpenAI's two APIs, and targets that insist on headers, a key in a place of their own and query parameters:
/// the simulator refuses a request without them as the real service would, so that tests prove they arrive.
/// </summary>
public sealed class AzureAndRequirementsTests : IAsyncLifetime
{
    private const string ApiVersion = "2024-10-21";
    private SimulatorHost _host = null!;
    private readonly HttpClient _http = TestHttp.CreateClient();

    public async Task InitializeAsync() => _host = await SimulatorHost.StartAsync(new SimulatorOptions
    {
        Targets =
        [
            new("azure", TargetProtocol.AzureOpenAi, TargetKind.Provider, ["prod-gpt41", "gpt-4.1-mini"])
            {
                Deployments = new Dictionary<string, string> { ["prod-gpt41"] = "gpt-4.1-2025-04-14" },
            },
            new("gateway", TargetProtocol.OpenAi, TargetKind.Relay, ["gpt-4.1"])
            {
                Providers = ["openai"],
                Requires = new TargetRequirements
                {
                    Headers = new Dictionary<string, string> { ["x-portkey-provider"] = "openai" },
                    Query = new Dictionary<string, string> { ["team"] = "ops" },
                    KeyHeader = "apikey",
                    Key = "sk-right",
                },
            },
            new("gemini-key", TargetProtocol.Gemini, TargetKind.Provider, ["gemini-2.5-flash"])
            {
                Requires = new TargetRequirements { KeyQuery = "key", Key = "AIza-right" },
            },
        ],
    });

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Azure_deployments_api_answers_with_the_deployed_model_and_needs_the_key_and_api_version()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "azure", $"/openai/deployments/prod-gpt41/chat/completions?api-version={ApiVersion}",
            Chat(model: null), ("api-key", "k"));
        Assert.Equal(200, status);
        Assert.Equal("gpt-4.1-2025-04-14", body.GetProperty("model").GetString());
        Assert.StartsWith("OK", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        var (noVersion, versionError) = await SendAsync(HttpMethod.Post, "azure", "/openai/deployments/prod-gpt41/chat/completions", Chat(model: null), ("api-key", "k"));
        Assert.Equal(400, noVersion);
        Assert.Contains("api-version", versionError.GetProperty("error").GetProperty("message").GetString());

        var (noKey, _) = await SendAsync(HttpMethod.Post, "azure", $"/openai/deployments/prod-gpt41/chat/completions?api-version={ApiVersion}", Chat(model: null));
        Assert.Equal(401, noKey);

        var (missing, missingError) = await SendAsync(HttpMethod.Post, "azure", $"/openai/deployments/nope/chat/completions?api-version={ApiVersion}",
            Chat(model: null), ("api-key", "k"));
        Assert.Equal(404, missing);
        Assert.Equal("DeploymentNotFound", missingError.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Azure_v1_api_takes_the_deployment_as_the_model_and_streams_like_openai()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "azure", "/openai/v1/chat/completions", Chat("prod-gpt41"), ("api-key", "k"));
        Assert.Equal(200, status);
        Assert.Equal("gpt-4.1-2025-04-14", body.GetProperty("model").GetString());

        using var stream = Request(HttpMethod.Post, "azure", "/openai/v1/chat/completions", Chat("gpt-4.1-mini", stream: true), ("api-key", "k"));
        using var response = await _http.SendAsync(stream);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"model\":\"gpt-4.1-mini\"", text);
        Assert.EndsWith("data: [DONE]", text.TrimEnd());
    }

    [Fact]
    public async Task Azure_lists_the_deployed_models_by_model_name_on_both_apis()
    {
        var (v1, v1Body) = await SendAsync(HttpMethod.Get, "azure", "/openai/v1/models", null, ("api-key", "k"));
        var (classic, classicBody) = await SendAsync(HttpMethod.Get, "azure", $"/openai/models?api-version={ApiVersion}", null, ("api-key", "k"));

        Assert.Equal((200, 200), (v1, classic));
        foreach (var body in new[] { v1Body, classicBody })
            Assert.Equal(["gpt-4.1-2025-04-14", "gpt-4.1-mini"], body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task A_target_requiring_headers_a_key_in_its_own_header_and_query_parameters_refuses_requests_without_them()
    {
        (string, string) provider = ("x-portkey-provider", "openai"), key = ("apikey", "sk-right");

        Assert.Equal(200, (await SendAsync(HttpMethod.Get, "gateway", "/v1/models?team=ops", null, provider, key)).Status);
        Assert.Equal(400, (await SendAsync(HttpMethod.Get, "gateway", "/v1/models?team=ops", null, key)).Status);
        Assert.Equal(400, (await SendAsync(HttpMethod.Get, "gateway", "/v1/models?team=ops", null, ("x-portkey-provider", "anthropic"), key)).Status);
        Assert.Equal(400, (await SendAsync(HttpMethod.Get, "gateway", "/v1/models", null, provider, key)).Status);
        Assert.Equal(401, (await SendAsync(HttpMethod.Get, "gateway", "/v1/models?team=ops", null, provider, ("Authorization", "Bearer sk-right"))).Status);
        var (wrong, wrongBody) = await SendAsync(HttpMethod.Get, "gateway", "/v1/models?team=ops", null, provider, ("apikey", "sk-wrong"));
        Assert.Equal(401, wrong);
        Assert.Equal("invalid_api_key", wrongBody.GetProperty("error").GetProperty("code").GetString());

        // The health document needs the gateway's headers, not the key.
        Assert.Equal(200, (await SendAsync(HttpMethod.Get, "gateway", "/health", null, provider)).Status);
        Assert.Equal(400, (await SendAsync(HttpMethod.Get, "gateway", "/health", null)).Status);
    }

    [Fact]
    public async Task A_target_requiring_the_key_in_the_query_string_refuses_it_in_a_header()
    {
        Assert.Equal(200, (await SendAsync(HttpMethod.Get, "gemini-key", "/v1beta/models?key=AIza-right", null)).Status);
        Assert.Equal(401, (await SendAsync(HttpMethod.Get, "gemini-key", "/v1beta/models", null, ("x-goog-api-key", "AIza-right"))).Status);
        Assert.Equal(401, (await SendAsync(HttpMethod.Get, "gemini-key", "/v1beta/models?key=AIza-wrong", null)).Status);
    }

    private static string Chat(string? model, bool stream = false) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["model"] = model,
        ["messages"] = new[] { new { role = "user", content = "Reply with OK" } },
        ["max_tokens"] = 5,
        ["stream"] = stream,
    });

    private HttpRequestMessage Request(HttpMethod method, string target, string pathAndQuery, string? body, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, new Uri(_host.TargetUrl(target), pathAndQuery));
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private async Task<(int Status, JsonElement Body)> SendAsync(HttpMethod method, string target, string pathAndQuery, string? body,
        params (string Name, string Value)[] headers)
    {
        using var request = Request(method, target, pathAndQuery, body, headers);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
