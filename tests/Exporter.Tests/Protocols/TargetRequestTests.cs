using RelayExporter.Configuration;
using RelayExporter.Probing.Http;
using RelayExporter.Protocols;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Protocols;

/// <summary>
/// What a target's configuration puts into the requests the protocols build: static headers (literal and secret),
/// the credential where the target says it goes, query parameters, and each check's path.
/// </summary>
public sealed class TargetRequestTests
{
    private const string Key = "sk-target-request-test-key";
    private const string GatewayKey = "pk-target-request-gateway";

    [Fact]
    public void Static_headers_query_parameters_and_the_credential_header_reach_every_api_request()
    {
        using var environment = new EnvironmentScope([new("TRT_KEY_1", Key), new("TRT_GATEWAY_1", GatewayKey)]);
        var options = Load("""
            targets:
              - name: gateway
                protocol: openai
                base_url: https://gateway.example.com/ai
                credential: { env: TRT_KEY_1, header: x-api-key }
                headers:
                  X-Title: relay exporter
                  x-portkey-api-key: { env: TRT_GATEWAY_1 }
                  Helicone-Auth: { env: TRT_GATEWAY_1, prefix: "Bearer " }
                query: { api-version: 2024-10-21, team: a&b }
                models: [gpt-4.1]
                checks:
                  models: { path: /openai/models }
                  chat: {}
            """);
        var target = options.Targets[0];
        var protocol = new OpenAiProtocol();

        using var models = Authenticated(protocol, target, protocol.CreateModelsRequest(target, options.EffectiveCheck(target, CheckKinds.Models.Name).Path));
        using var chat = Authenticated(protocol, target, protocol.CreateChatRequest(target, new ChatProbeRequest("gpt-4.1", "Reply with OK", 5, false)));

        Assert.Equal("https://gateway.example.com/ai/openai/models?api-version=2024-10-21&team=a%26b", models.RequestUri!.AbsoluteUri);
        Assert.Equal("https://gateway.example.com/ai/v1/chat/completions?api-version=2024-10-21&team=a%26b", chat.RequestUri!.AbsoluteUri);
        foreach (var request in new[] { models, chat })
        {
            Assert.Equal(Key, Header(request, "x-api-key"));
            Assert.Null(request.Headers.Authorization);
            Assert.Equal("relay exporter", Header(request, "X-Title"));
            Assert.Equal(GatewayKey, Header(request, "x-portkey-api-key"));
            Assert.Equal($"Bearer {GatewayKey}", Header(request, "Helicone-Auth"));
        }
    }

    [Fact]
    public void Credential_defaults_to_the_protocols_place_and_can_go_in_the_query_string()
    {
        using var environment = new EnvironmentScope([new("TRT_KEY_2", Key)]);
        var options = Load("""
            targets:
              - { name: openai, protocol: openai, base_url: "https://api.openai.com", credential: { env: TRT_KEY_2 } }
              - { name: bearer, protocol: anthropic, base_url: "https://gw.example.com", credential: { env: TRT_KEY_2, header: Authorization } }
              - name: gemini
                protocol: gemini
                base_url: https://generativelanguage.googleapis.com
                credential: { env: TRT_KEY_2, query: key }
                models: [gemini-2.5-flash]
                checks: { stream: {} }
            """);

        using var openai = Authenticated(new OpenAiProtocol(), options.Targets[0], p => p.CreateModelsRequest(options.Targets[0], null));
        using var anthropic = Authenticated(new AnthropicProtocol(), options.Targets[1], p => p.CreateModelsRequest(options.Targets[1], null));
        using var gemini = Authenticated(new GeminiProtocol(), options.Targets[2], p => p.CreateChatRequest(options.Targets[2], new ChatProbeRequest("gemini-2.5-flash", "Reply with OK", 5, true)));

        Assert.Equal($"Bearer {Key}", openai.Headers.Authorization!.ToString());
        Assert.Equal($"Bearer {Key}", anthropic.Headers.Authorization!.ToString());
        Assert.False(anthropic.Headers.Contains("x-api-key"));
        Assert.Equal($"https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key={Key}", gemini.RequestUri!.AbsoluteUri);
        Assert.False(gemini.Headers.Contains("x-goog-api-key"));
    }

    [Fact]
    public void A_configured_chat_path_replaces_the_protocols_and_names_the_model()
    {
        var options = Load("""
            targets:
              - name: cloudflare
                protocol: openai
                base_url: https://gateway.ai.cloudflare.com/v1/account/gateway/openai
                models: [gpt-4.1]
                checks: { stream: { path: "/chat/completions" }, chat: { path: "/models/{model}/chat" } }
            """);
        var target = options.Targets[0];

        using var stream = new OpenAiProtocol().CreateChatRequest(target,
            new ChatProbeRequest("gpt-4.1", "Reply with OK", 5, true, options.EffectiveCheck(target, CheckKinds.Stream.Name).Path));
        using var chat = new OpenAiProtocol().CreateChatRequest(target,
            new ChatProbeRequest("a b/c", "Reply with OK", 5, false, options.EffectiveCheck(target, CheckKinds.Chat.Name).Path));

        Assert.Equal("https://gateway.ai.cloudflare.com/v1/account/gateway/openai/chat/completions", stream.RequestUri!.AbsoluteUri);
        Assert.Equal("https://gateway.ai.cloudflare.com/v1/account/gateway/openai/models/a%20b%2Fc/chat", chat.RequestUri!.AbsoluteUri);
    }

    [Fact]
    public async Task Azure_deployments_api_puts_the_deployment_in_the_path_and_v1_puts_it_in_the_body()
    {
        using var environment = new EnvironmentScope([new("TRT_KEY_3", Key)]);
        var options = Load("""
            targets:
              - name: azure
                protocol: azure_openai
                base_url: https://example.openai.azure.com
                credential: { env: TRT_KEY_3 }
                query: { api-version: 2024-10-21 }
                models: [gpt-4.1]
                azure: { deployments: { gpt-4.1: prod-gpt41 } }
              - name: azure-v1
                protocol: azure_openai
                base_url: https://example.openai.azure.com
                credential: { env: TRT_KEY_3 }
                models: [gpt-4.1]
                azure: { api: v1 }
            """);
        var azure = new AzureOpenAiProtocol();

        using var deployments = Authenticated(azure, options.Targets[0], azure.CreateChatRequest(options.Targets[0], new ChatProbeRequest("gpt-4.1", "Reply with OK", 5, false)));
        using var deploymentsModels = Authenticated(azure, options.Targets[0], azure.CreateModelsRequest(options.Targets[0], null));
        using var v1 = Authenticated(azure, options.Targets[1], azure.CreateChatRequest(options.Targets[1], new ChatProbeRequest("gpt-4.1", "Reply with OK", 5, true)));
        using var v1Models = Authenticated(azure, options.Targets[1], azure.CreateModelsRequest(options.Targets[1], null));

        Assert.Equal("https://example.openai.azure.com/openai/deployments/prod-gpt41/chat/completions?api-version=2024-10-21", deployments.RequestUri!.AbsoluteUri);
        Assert.Equal("https://example.openai.azure.com/openai/models?api-version=2024-10-21", deploymentsModels.RequestUri!.AbsoluteUri);
        Assert.Contains("\"model\":\"prod-gpt41\"", await deployments.Content!.ReadAsStringAsync());
        Assert.Equal("https://example.openai.azure.com/openai/v1/chat/completions", v1.RequestUri!.AbsoluteUri);
        Assert.Contains("\"model\":\"gpt-4.1\"", await v1.Content!.ReadAsStringAsync());
        Assert.Equal("https://example.openai.azure.com/openai/v1/models", v1Models.RequestUri!.AbsoluteUri);
        foreach (var request in new[] { deployments, deploymentsModels, v1, v1Models })
        {
            Assert.Equal(Key, Header(request, "api-key"));
            Assert.Null(request.Headers.Authorization);
        }
    }

    [Fact]
    public void A_debug_transcript_shows_neither_secret_headers_nor_a_key_in_a_custom_header()
    {
        using var environment = new EnvironmentScope([new("TRT_KEY_4", Key), new("TRT_GATEWAY_4", GatewayKey)]);
        var options = Load("""
            targets:
              - name: gateway
                protocol: openai
                base_url: https://gateway.example.com
                credential: { env: TRT_KEY_4, header: apikey }
                headers:
                  x-portkey-api-key: { env: TRT_GATEWAY_4 }
                  X-Title: visible
            """);
        var target = options.Targets[0];
        using var request = Authenticated(new OpenAiProtocol(), target, p => p.CreateModelsRequest(target, null));
        var transcript = new ProbeTranscript();

        transcript.RecordRequest(request, target.SecretHeaders);

        var headers = string.Join("\n", transcript.RequestHeaders);
        Assert.DoesNotContain(Key, headers);
        Assert.DoesNotContain(GatewayKey, headers);
        Assert.Contains("apikey: <redacted>", headers);
        Assert.Contains("x-portkey-api-key: <redacted>", headers);
        Assert.Contains("X-Title: visible", headers);
    }

    [Fact]
    public void Secret_header_values_are_redacted_from_what_an_upstream_sends_back()
    {
        using var environment = new EnvironmentScope([new("TRT_GATEWAY_5", GatewayKey)]);
        var path = Write("""
            targets:
              - name: gateway
                protocol: openai
                base_url: https://gateway.example.com
                headers: { x-portkey-api-key: { env: TRT_GATEWAY_5 } }
            """);
        var config = new RunningConfig(path, ConfigLoader.Load(path), TimeProvider.System);
        var secrets = new ProcessSecrets(config);

        var redacted = secrets.Redactor().Redact($"invalid gateway key {GatewayKey}");

        Assert.DoesNotContain(GatewayKey[..SecretRedactor.MinFragment], redacted);
    }

    private static string Header(HttpRequestMessage request, string name) => string.Join(", ", request.Headers.GetValues(name));

    /// <summary>The request as it is sent: with the credential its protocol's authenticator adds.</summary>
    private static HttpRequestMessage Authenticated(ILlmProtocol protocol, TargetOptions target, HttpRequestMessage request)
    {
        protocol.Authenticator(target).AuthenticateAsync(request, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return request;
    }

    private static HttpRequestMessage Authenticated<TProtocol>(TProtocol protocol, TargetOptions target, Func<TProtocol, HttpRequestMessage> create)
        where TProtocol : ILlmProtocol => Authenticated(protocol, target, create(protocol));

    private static ExporterOptions Load(string yaml) => ConfigLoader.Load(Write(yaml));

    private static string Write(string yaml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"relay-exporter-request-test-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
