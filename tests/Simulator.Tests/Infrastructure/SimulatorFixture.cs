using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace RelayExporter.Simulator.Tests;

/// <summary>One in-process simulator on random loopback ports, shared by the tests of one class.</summary>
public sealed class SimulatorFixture : IAsyncLifetime
{
    public SimulatorHost Host { get; private set; } = null!;

    public HttpClient Http { get; } = TestHttp.CreateClient();

    public async Task InitializeAsync() => Host = await SimulatorHost.StartAsync(new SimulatorOptions());

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
    }

    public Uri Url(string target, string path) => new(Host.TargetUrl(target), path);

    public Uri Admin(string path) => new(Host.AdminUrl, path);

    public async Task SetFaultAsync(string target, string? model, string faultJson)
    {
        var path = model is null ? $"/_sim/faults/{target}" : $"/_sim/faults/{target}/{model}";
        using var response = await Http.PutAsync(Admin(path), new StringContent(faultJson, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, $"PUT {path} {faultJson}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task ClearFaultsAsync()
    {
        using var response = await Http.DeleteAsync(Admin("/_sim/faults"));
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
    }

    public async Task<JsonElement> GetJsonAsync(Uri url)
    {
        using var response = await Http.GetAsync(url);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}

/// <summary>Builds protocol-correct requests so that tests can be written once for every protocol.</summary>
public static class TestHttp
{
    public const string Reply = "OK. This is the relay simulator answering.";

    public static HttpClient CreateClient() => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
    {
        Timeout = TimeSpan.FromSeconds(20),
    };

    public static HttpRequestMessage Models(SimulatorFixture sim, string target) => Authorized(target,
        new HttpRequestMessage(HttpMethod.Get, sim.Url(target, ProtocolOf(target) == TargetProtocol.Gemini ? "/v1beta/models" : "/v1/models")));

    public static HttpRequestMessage Chat(SimulatorFixture sim, string target, string model, bool stream = false, int? maxTokens = null,
        bool includeUsage = false)
    {
        var protocol = ProtocolOf(target);
        object body = protocol switch
        {
            TargetProtocol.OpenAi => new Dictionary<string, object?>
            {
                ["model"] = model,
                ["messages"] = new[] { new { role = "user", content = "Reply with OK" } },
                ["max_tokens"] = maxTokens,
                ["stream"] = stream,
                ["stream_options"] = includeUsage ? new { include_usage = true } : null,
            },
            TargetProtocol.Anthropic => new
            {
                model,
                max_tokens = maxTokens ?? 64,
                stream,
                messages = new[] { new { role = "user", content = "Reply with OK" } },
            },
            _ => new
            {
                contents = new[] { new { role = "user", parts = new[] { new { text = "Reply with OK" } } } },
                generationConfig = new { maxOutputTokens = maxTokens },
            },
        };
        var path = protocol switch
        {
            TargetProtocol.OpenAi => "/v1/chat/completions",
            TargetProtocol.Anthropic => "/v1/messages",
            _ => stream ? $"/v1beta/models/{model}:streamGenerateContent?alt=sse" : $"/v1beta/models/{model}:generateContent",
        };
        var request = new HttpRequestMessage(HttpMethod.Post, sim.Url(target, path))
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        return Authorized(target, request);
    }

    public static HttpRequestMessage Authorized(string target, HttpRequestMessage request)
    {
        switch (ProtocolOf(target))
        {
            case TargetProtocol.OpenAi:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-test-secret");
                break;
            case TargetProtocol.Anthropic:
                request.Headers.Add("x-api-key", "sk-ant-test-secret");
                request.Headers.Add("anthropic-version", "2023-06-01");
                break;
            default:
                request.Headers.Add("x-goog-api-key", "goog-test-secret");
                break;
        }
        return request;
    }

    public static TargetProtocol ProtocolOf(string target) => DefaultTargets.All.Single(t => t.Name == target).Protocol;

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public static string Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues)
        : throw new Xunit.Sdk.XunitException($"response has no header '{name}'");

    /// <summary>Asserts the error body has the protocol's shape and returns its error type (or Gemini status).</summary>
    public static string ErrorType(string target, JsonElement body) => ProtocolOf(target) switch
    {
        TargetProtocol.OpenAi => OpenAiError(body),
        TargetProtocol.Anthropic => AnthropicError(body),
        _ => GeminiError(body),
    };

    private static string OpenAiError(JsonElement body)
    {
        var error = body.GetProperty("error");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.True(error.TryGetProperty("code", out _));
        return error.GetProperty("type").GetString()!;
    }

    private static string AnthropicError(JsonElement body)
    {
        Assert.Equal("error", body.GetProperty("type").GetString());
        var error = body.GetProperty("error");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        return error.GetProperty("type").GetString()!;
    }

    private static string GeminiError(JsonElement body)
    {
        var error = body.GetProperty("error");
        Assert.True(error.GetProperty("code").GetInt32() >= 400);
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        return error.GetProperty("status").GetString()!;
    }
}
