using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace RelayExporter.Simulator;

/// <summary>
/// Azure OpenAI: OpenAI's bodies behind the key in <c>api-key</c> (or an Entra ID bearer token), with each model
/// served by a deployment. The deployments API (<c>/openai/deployments/{deployment}/chat/completions</c>) needs
/// <c>api-version</c>; the v1 API (<c>/openai/v1/…</c>) takes the deployment as the model. Answers name the deployed model.
/// </summary>
internal sealed partial class AzureOpenAiProtocol : IProtocol
{
    private const long ModelsCreated = 1_744_316_542;
    private readonly OpenAiProtocol _openAi = new();

    [GeneratedRegex("^/openai/deployments/(?<deployment>[^/]+)/chat/completions$")]
    private static partial Regex DeploymentChatPath();

    public string? ModelOf(SimRequest request) =>
        DeploymentChatPath().Match(request.Path) is { Success: true } match ? Uri.UnescapeDataString(match.Groups["deployment"].Value) : _openAi.ModelOf(request);

    public bool IsStream(SimRequest request) => _openAi.IsStream(request);

    public bool HasCredentials(SimRequest request) => request.Header("api-key") is not null || request.Header("Authorization") is not null;

    public SseFrame StreamErrorFrame => _openAi.StreamErrorFrame;

    public SimResponse Handle(SimRequest request, TargetContext target)
    {
        if (!target.KeyChecked && string.IsNullOrEmpty(request.Header("api-key")) && !OpenAiProtocol.HasBearerToken(request))
            return Error(ErrorKind.Unauthorized,
                "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.");
        var deploymentsApi = request.Path.StartsWith("/openai/deployments/", StringComparison.Ordinal) || request.Path == "/openai/models";
        if (deploymentsApi && string.IsNullOrEmpty(request.Query["api-version"]))
            return Error(ErrorKind.BadRequest, "Missing required query parameter: api-version");
        return (request.Method, request.Path) switch
        {
            ("GET", "/openai/models" or "/openai/v1/models") => Models(target),
            ("POST", "/openai/v1/chat/completions") => Chat(request, target, _openAi.ModelOf(request)),
            ("POST", _) when DeploymentChatPath().IsMatch(request.Path) => Chat(request, target, ModelOf(request)),
            _ => Error(ErrorKind.NotFound, "Resource not found"),
        };
    }

    public BodyResponse Error(ErrorKind kind, string? message = null) => kind switch
    {
        ErrorKind.Unauthorized or ErrorKind.NotFound => BodyResponse.Json(IProtocol.StatusOf(kind), new JsonObject
        {
            ["error"] = new JsonObject { ["code"] = IProtocol.StatusOf(kind).ToString(), ["message"] = message ?? "Resource not found" },
        }),
        ErrorKind.UnknownModel => BodyResponse.Json(404, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = "DeploymentNotFound",
                ["message"] = message ?? "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
            },
        }),
        _ => _openAi.Error(kind, message),
    };

    public void AddRateLimitHeaders(IDictionary<string, string> headers, RateLimitSnapshot snapshot) => _openAi.AddRateLimitHeaders(headers, snapshot);

    /// <summary>The deployed models, by model name (not by deployment), as Azure lists them.</summary>
    private static BodyResponse Models(TargetContext target) => BodyResponse.Json(200, new JsonObject
    {
        ["object"] = "list",
        ["data"] = new JsonArray([.. target.ListedModels.Select(d => ModelOf(target, d)).Distinct().Select(m => (JsonNode)new JsonObject
        {
            ["id"] = m,
            ["object"] = "model",
            ["created_at"] = ModelsCreated,
            ["status"] = "succeeded",
        })]),
    });

    /// <summary>OpenAI's chat completion for the deployment, answering with the deployed model's name.</summary>
    private SimResponse Chat(SimRequest request, TargetContext target, string? deployment)
    {
        if (deployment is null) return _openAi.Error(ErrorKind.BadRequest, "you must provide a model parameter");
        if (!target.Serves(deployment)) return Error(ErrorKind.UnknownModel);
        var body = request.Body is { ValueKind: JsonValueKind.Object } b ? JsonNode.Parse(b.GetRawText())!.AsObject() : [];
        body["model"] = deployment;
        var openAiRequest = new SimRequest
        {
            Method = request.Method,
            Path = "/v1/chat/completions",
            Query = request.Query,
            Headers = request.Headers,
            Body = JsonDocument.Parse(body.ToJsonString()).RootElement.Clone(),
        };
        var deployed = target with { AnsweringFor = d => ModelOf(target, target.AnsweringFor(d)), KeyChecked = true };
        return _openAi.Handle(openAiRequest, deployed);
    }

    private static string ModelOf(TargetContext target, string deployment) => target.Definition.Deployments.GetValueOrDefault(deployment) ?? deployment;
}
