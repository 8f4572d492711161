using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RelayExporter.Configuration;
using RelayExporter.Outcomes;
using RelayExporter.Probing.Http;
using RelayExporter.Protocols;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Protocols;

/// <summary>
/// A protocol is what its <see cref="ILlmProtocol"/> says: a test-only one that signs each request over its method,
/// path and body, streams newline-delimited JSON and has its own error types runs through the real handler, exchange
/// and checks, which know no provider.
/// </summary>
public sealed class ProtocolSeamTests
{
    private const string SigningKey = "seam-signing-key-4b7c9e2a1f";
    private const string KeyVariable = "PROTOCOL_SEAM_SIGNING_KEY";

    [Fact]
    public async Task A_request_signed_over_its_method_path_and_body_is_accepted_and_the_key_shows_nowhere()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            if (!await SignedAsync(context)) return;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"model":"m","choices":[{"message":{"content":"OK"},"finish_reason":"stop"}]}""");
        });
        using var key = new EnvironmentScope([new(KeyVariable, SigningKey)]);
        using var rig = Rig(server);

        var result = await rig.ProbeAsync("signed", "chat", "m", transcribe: true);

        Assert.True(result.Outcome == ProbeOutcome.Success, result.Reason);
        var said = string.Join("\n", [result.Reason, result.Transcript!.RequestLine, .. result.Transcript.RequestHeaders]);
        Assert.Contains("X-Test-Signature: ", said);
        Assert.Contains($"X-Test-Credential: {SecretRedactor.Marker}", said);
        Assert.DoesNotContain(SigningKey[..SecretRedactor.MinFragment], said);
    }

    [Fact]
    public async Task A_stream_in_the_protocols_own_framing_is_timed_and_ends_as_the_framing_says()
    {
        string[] lines = ["""{"model":"m","choices":[{"delta":{"content":"O"}}]}""", "", """{"choices":[{"delta":{"content":"K"},"finish_reason":"stop"}]}"""];
        var end = true;
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            if (!await SignedAsync(context)) return;
            context.Response.ContentType = NewlineDelimitedJson.Type;
            foreach (var line in lines) await context.Response.WriteAsync(line + "\n");
            if (end) await context.Response.WriteAsync("[DONE]\n");
        });
        using var key = new EnvironmentScope([new(KeyVariable, SigningKey)]);
        using var rig = Rig(server);

        var complete = await rig.ProbeAsync("signed", "stream", "m");
        end = false;
        var cut = await rig.ProbeAsync("signed", "stream", "m");

        Assert.True(complete.Outcome == ProbeOutcome.Success, complete.Reason);
        Assert.Contains("answered \"OK\"", complete.Reason);
        Assert.NotNull(complete.Generation!.TimeToFirstToken);
        Assert.Equal((ProbeOutcome.StreamError, "closed after 2 lines without its end line"), (cut.Outcome, cut.Reason));
    }

    [Fact]
    public async Task An_error_event_is_classified_by_the_protocols_own_error_types()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            if (!await SignedAsync(context)) return;
            context.Response.ContentType = NewlineDelimitedJson.Type;
            await context.Response.WriteAsync("""{"error":{"type":"throttlingException","message":"slow down"}}""" + "\n");
        });
        using var key = new EnvironmentScope([new(KeyVariable, SigningKey)]);
        using var rig = Rig(server);

        var result = await rig.ProbeAsync("signed", "stream", "m");

        Assert.Equal(ProbeOutcome.RateLimited, result.Outcome);
        Assert.Contains("throttlingException", result.Reason);
    }

    private static ProbeRig Rig(LoopbackServer server) => new(
        new ExporterOptions
        {
            Targets =
            [
                new TargetOptions
                {
                    Name = "signed", Protocol = ProtocolKind.Openai, BaseUrl = server.Url.ToString(), Models = ["m"],
                    Credential = new CredentialOptions { Env = KeyVariable },
                    Checks = new(StringComparer.OrdinalIgnoreCase) { [CheckKinds.Chat.Name] = new(), [CheckKinds.Stream.Name] = new() },
                },
            ],
        },
        configure: services =>
        {
            services.RemoveAll<ILlmProtocol>();
            services.AddSingleton<ILlmProtocol, SigningNdjsonProtocol>();
        });

    /// <summary>Answers 401 unless the request carries the signature of its method, path and body.</summary>
    private static async Task<bool> SignedAsync(HttpContext context)
    {
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        if (context.Request.Headers["X-Test-Signature"] == Signature(context.Request.Method, context.Request.Path, body)) return true;
        context.Response.StatusCode = 401;
        await context.Response.WriteAsync("""{"error":{"message":"signature does not match"}}""");
        return false;
    }

    private static string Signature(string method, string path, string body) =>
        Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SigningKey), Encoding.UTF8.GetBytes($"{method}\n{path}\n{body}")));

    /// <summary>OpenAI's requests and answers, signed, streamed as newline-delimited JSON, with an error type of its own.</summary>
    private sealed class SigningNdjsonProtocol : ILlmProtocol
    {
        private readonly OpenAiProtocol _openAi = new();

        public ProtocolDescription Description => ProtocolKinds.Openai;
        public IStreamFraming StreamFraming { get; } = new NewlineDelimitedJson();
        public HttpRequestMessage CreateModelsRequest(TargetOptions target, string? path) => _openAi.CreateModelsRequest(target, path);
        public IReadOnlySet<string> ParseModelIds(JsonElement document) => _openAi.ParseModelIds(document);
        public HttpRequestMessage CreateChatRequest(TargetOptions target, ChatProbeRequest request) => _openAi.CreateChatRequest(target, request);
        public ChatReply ParseChatReply(JsonElement document) => _openAi.ParseChatReply(document);
        public StreamFrame ParseStreamFrame(string eventType, string data) => _openAi.ParseStreamFrame(eventType, data);

        public ProbeOutcome ErrorEventOutcome(StreamFrame error) =>
            error.ErrorType == "throttlingException" ? ProbeOutcome.RateLimited : ProbeOutcome.StreamError;

        public IRequestAuthenticator Authenticator(TargetOptions target) => new BodySigner(target.Credential!.Value!);
    }

    /// <summary>Signs the finished request; also names the key in a header of its own, which no list of secret headers knows.</summary>
    private sealed class BodySigner(Secret key) : IRequestAuthenticator
    {
        public async ValueTask AuthenticateAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            request.Headers.Add("X-Test-Signature", Signature(request.Method.Method, request.RequestUri!.AbsolutePath, body));
            request.Headers.Add("X-Test-Credential", $"{key.Reveal()}/test-scope");
        }
    }

    /// <summary>One JSON value a line; empty lines keep the connection open; a <c>[DONE]</c> line ends the stream.</summary>
    private sealed class NewlineDelimitedJson : IStreamFraming
    {
        public const string Type = "application/x-ndjson";

        public string MediaType => Type;
        public IStreamReading Open(Stream body) => new Reading(body);

        public string? Unfinished(bool sawEnd, string? finishReason, int events) => sawEnd ? null : $"closed after {events} lines without its end line";

        private sealed class Reading(Stream body) : IStreamReading
        {
            public int KeepAlives { get; private set; }

            public async IAsyncEnumerable<(string EventType, string Data)> EventsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
            {
                using var reader = new StreamReader(body, leaveOpen: true);
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    if (line.Length == 0) KeepAlives++;
                    else yield return ("", line);
                }
            }

            public ValueTask DisposeAsync() => body.DisposeAsync();
        }
    }
}
