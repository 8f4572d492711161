namespace RelayExporter.Configuration;

/// <summary>A target's API protocol, as the configuration names it (<c>openai</c>, <c>azure_openai</c> …).</summary>
public enum ProtocolKind { Openai, Anthropic, Gemini, AzureOpenai }

/// <summary>
/// What the configuration and the telemetry know of one protocol: where its key goes unless the credential says
/// otherwise, the headers it sets itself, the path its models list has, and its names in the OpenTelemetry GenAI
/// conventions. How requests are built and answers read is the protocol's own (an <c>ILlmProtocol</c> in Protocols).
/// </summary>
/// <param name="DefaultCredentialHeader">The header that carries the key; <c>Authorization</c> carries it as a <c>Bearer</c> token.</param>
/// <param name="ModelsPath">Its models list below the base URL, version segment included (<c>v1/models</c>).</param>
/// <param name="GenAiProvider">Its <c>gen_ai.provider.name</c>.</param>
public sealed record ProtocolDescription(ProtocolKind Kind, string DefaultCredentialHeader, string ModelsPath, string GenAiProvider)
{
    /// <summary>The protocol's name in the configuration file.</summary>
    public string Name { get; } = ConfigNames.Of(Kind);

    /// <summary>Headers the protocol sends itself, whatever the target's headers say.</summary>
    public IReadOnlyList<string> HeadersItSets { get; init; } = [];

    /// <summary>Its <c>gen_ai.operation.name</c> for a chat or stream probe.</summary>
    public string GenAiOperation { get; init; } = "chat";

    /// <summary>Providers the conventions name that speak this protocol, by the host of the target's base URL.</summary>
    public IReadOnlyDictionary<string, string> GenAiProviderByHost { get; init; } = new Dictionary<string, string>();

    public override string ToString() => Name;
}

/// <summary>Every protocol a target can speak.</summary>
public static class ProtocolKinds
{
    /// <summary>
    /// OpenAI's API and everything compatible with it. Any OpenAI-compatible target the GenAI conventions do not name (a
    /// relay, a gateway) speaks OpenAI's format, which is what the provider name stands for.
    /// </summary>
    public static readonly ProtocolDescription Openai = new(ProtocolKind.Openai, RequestHeaders.Authorization, "v1/models", "openai")
    {
        GenAiProviderByHost = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["api.deepseek.com"] = "deepseek",
            ["api.groq.com"] = "groq",
            ["api.mistral.ai"] = "mistral_ai",
            ["api.perplexity.ai"] = "perplexity",
            ["api.x.ai"] = "x_ai",
        },
    };

    public static readonly ProtocolDescription Anthropic = new(ProtocolKind.Anthropic, "x-api-key", "v1/models", "anthropic")
        { HeadersItSets = ["anthropic-version"] };

    public static readonly ProtocolDescription Gemini = new(ProtocolKind.Gemini, "x-goog-api-key", "v1beta/models", "gcp.gemini")
        { GenAiOperation = "generate_content" };

    public static readonly ProtocolDescription AzureOpenai = new(ProtocolKind.AzureOpenai, "api-key", "openai/models", "azure.ai.openai");

    public static readonly IReadOnlyList<ProtocolDescription> All = [Openai, Anthropic, Gemini, AzureOpenai];

    private static readonly Dictionary<ProtocolKind, ProtocolDescription> ByKind = All.ToDictionary(p => p.Kind);

    public static ProtocolDescription Of(ProtocolKind kind) => ByKind[kind];
}
