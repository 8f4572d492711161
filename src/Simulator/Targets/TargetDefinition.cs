namespace RelayExporter.Simulator;

public enum TargetProtocol { OpenAi, Anthropic, Gemini, AzureOpenAi }

public enum TargetKind { Relay, Provider }

/// <summary>What one simulated relay or provider is: its name, wire protocol and the models it serves.</summary>
public sealed record TargetDefinition(string Name, TargetProtocol Protocol, TargetKind Kind, IReadOnlyList<string> Models)
{
    /// <summary>Upstream providers a relay reports in its health document.</summary>
    public IReadOnlyList<string> Providers { get; init; } = [];

    /// <summary>Streams start with <c>: keep-alive</c> SSE comments, as DeepSeek's do.</summary>
    public bool StreamKeepAlive { get; init; }

    /// <summary>Models that stream <c>reasoning_content</c> deltas before the answer.</summary>
    public IReadOnlyList<string> ReasoningModels { get; init; } = [];

    /// <summary>Azure OpenAI: deployment (an entry of <see cref="Models"/>) → the model it serves; unlisted ones serve their own name.</summary>
    public IReadOnlyDictionary<string, string> Deployments { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// What a relay adds in front of its provider: every chat and stream answer (not a models list or health document)
    /// starts this many milliseconds after the request arrived, on top of any <c>slow</c> fault.
    /// </summary>
    public int AddedDelayMs { get; init; }

    /// <summary>What a request must carry for this target to answer it, as a real gateway or provider would insist.</summary>
    public TargetRequirements Requires { get; init; } = TargetRequirements.None;
}

/// <summary>
/// Headers, query parameters and a key a target insists on. Without a required header or query parameter a request is
/// refused with 400; without the key where it must be, or with another key, with 401. Health documents need only the headers.
/// </summary>
public sealed record TargetRequirements
{
    public static readonly TargetRequirements None = new();

    /// <summary>Header → the exact value it must have (a gateway's settings or own key).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Query parameter → the exact value it must have (Azure's api-version).</summary>
    public IReadOnlyDictionary<string, string> Query { get; init; } = new Dictionary<string, string>();

    /// <summary>The header the key must arrive in, instead of the protocol's own; <c>Authorization</c> means a bearer token.</summary>
    public string? KeyHeader { get; init; }

    /// <summary>The query parameter the key must arrive in, instead of a header.</summary>
    public string? KeyQuery { get; init; }

    /// <summary>The only key accepted; null accepts any non-empty key.</summary>
    public string? Key { get; init; }

    /// <summary>Whether the key's place is set here rather than by the protocol.</summary>
    public bool PlacesKey => KeyHeader is not null || KeyQuery is not null;
}

public static class TargetWireNames
{
    public static string ToWire(this TargetProtocol protocol) => protocol switch
    {
        TargetProtocol.OpenAi => "openai",
        TargetProtocol.Anthropic => "anthropic",
        TargetProtocol.AzureOpenAi => "azure_openai",
        _ => "gemini",
    };

    public static string ToWire(this TargetKind kind) => kind == TargetKind.Relay ? "relay" : "provider";
}
