using System.Text.Json;
using RelayExporter.Configuration;

namespace RelayExporter.Protocols;

/// <summary>
/// Azure OpenAI: OpenAI's bodies and streams, with the key in <c>api-key</c> and each model served by a deployment.
/// The deployments API names the deployment in the path and needs an <c>api-version</c>; the v1 API is OpenAI's, with
/// the deployment as the model. Answers name the deployed model (<c>gpt-4.1-2025-04-14</c>), not the deployment.
/// </summary>
public sealed class AzureOpenAiProtocol : ILlmProtocol
{
    private readonly OpenAiProtocol _openAi = new();

    public ProtocolDescription Description => ProtocolKinds.AzureOpenai;
    public IStreamFraming StreamFraming => ServerSentEvents.EndingWithMarker;

    /// <summary>Both APIs list the models the resource offers (by model name, not by deployment).</summary>
    public HttpRequestMessage CreateModelsRequest(TargetOptions target, string? path) =>
        ProtocolRequests.Get(target, ProtocolRequests.PathFor(path, target.EffectiveAzure.Api == AzureApi.V1 ? "openai/v1/models" : "openai/models"));

    public IReadOnlySet<string> ParseModelIds(JsonElement document) => _openAi.ParseModelIds(document);

    /// <summary>Azure lists models with their version (<c>gpt-4.1-2025-04-14</c>); the configuration names the model.</summary>
    public bool Offers(IReadOnlySet<string> offered, string model) =>
        offered.Contains(model) || offered.Any(id => ModelNames.IsSame(model, id));

    public HttpRequestMessage CreateChatRequest(TargetOptions target, ChatProbeRequest request)
    {
        var deployment = target.EffectiveAzure.DeploymentOf(request.Model);
        var path = ProtocolRequests.PathFor(request.Path,
            target.EffectiveAzure.Api == AzureApi.V1 ? "openai/v1/chat/completions" : "openai/deployments/{model}/chat/completions", deployment);
        return ProtocolRequests.Post(target, path, OpenAiProtocol.ChatBody(deployment, request));
    }

    public ChatReply ParseChatReply(JsonElement document) => _openAi.ParseChatReply(document);

    public StreamFrame ParseStreamFrame(string eventType, string data) => _openAi.ParseStreamFrame(eventType, data);
}
