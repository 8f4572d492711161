using RelayExporter.Configuration;

namespace RelayExporter.Telemetry;

/// <summary>
/// A target's <c>gen_ai.operation.name</c> and <c>gen_ai.provider.name</c> in the OpenTelemetry GenAI conventions: the
/// one place a protocol, or an OpenAI-compatible provider the conventions name, gets its values.
/// </summary>
internal readonly record struct GenAiSystem(string OperationName, string ProviderName)
{
    /// <summary>
    /// OpenAI-compatible providers the conventions name, by the host of the target's base URL. Any other OpenAI-compatible
    /// target (a relay, a gateway) speaks OpenAI's format, which is what the provider name stands for.
    /// </summary>
    private static readonly Dictionary<string, string> OpenAiCompatibleByHost = new(StringComparer.OrdinalIgnoreCase)
    {
        ["api.deepseek.com"] = "deepseek",
        ["api.groq.com"] = "groq",
        ["api.mistral.ai"] = "mistral_ai",
        ["api.perplexity.ai"] = "perplexity",
        ["api.x.ai"] = "x_ai",
    };

    public static GenAiSystem Of(TargetOptions target) => target.Protocol switch
    {
        ProtocolKind.Openai => new("chat", OpenAiCompatibleByHost.GetValueOrDefault(target.BaseUri.Host, "openai")),
        ProtocolKind.Anthropic => new("chat", "anthropic"),
        ProtocolKind.Gemini => new("generate_content", "gcp.gemini"),
        ProtocolKind.AzureOpenai => new("chat", "azure.ai.openai"),
        _ => throw new ArgumentOutOfRangeException(nameof(target), target.Protocol, "a protocol without its GenAI convention values"),
    };
}
