namespace RelayExporter.Simulator;

public enum TargetProtocol { OpenAi, Anthropic, Gemini }

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
}

public static class TargetWireNames
{
    public static string ToWire(this TargetProtocol protocol) => protocol switch
    {
        TargetProtocol.OpenAi => "openai",
        TargetProtocol.Anthropic => "anthropic",
        _ => "gemini",
    };

    public static string ToWire(this TargetKind kind) => kind == TargetKind.Relay ? "relay" : "provider";
}
