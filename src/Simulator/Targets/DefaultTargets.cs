namespace RelayExporter.Simulator;

public static class DefaultTargets
{
    /// <summary>The default fleet; with a base port, targets get consecutive ports in this order.</summary>
    public static IReadOnlyList<TargetDefinition> All { get; } =
    [
        new("relay-a", TargetProtocol.OpenAi, TargetKind.Relay,
            ["gpt-4.1", "gpt-4.1-mini", "claude-sonnet-4.5", "gemini-2.5-flash", "deepseek-v3.2"])
        {
            Providers = ["openai", "anthropic", "google", "deepseek"],
        },
        // The slower relay: what it adds to every answer shows against the openai and anthropic providers in the demo.
        new("relay-b", TargetProtocol.OpenAi, TargetKind.Relay, ["gpt-4.1", "claude-sonnet-4.5", "deepseek-v3.2"])
        {
            Providers = ["openai", "anthropic", "deepseek"],
            AddedDelayMs = 400,
        },
        new("openai", TargetProtocol.OpenAi, TargetKind.Provider, ["gpt-4.1", "gpt-4.1-mini"]),
        new("anthropic", TargetProtocol.Anthropic, TargetKind.Provider, ["claude-sonnet-4.5", "claude-haiku-4.5"]),
        new("gemini", TargetProtocol.Gemini, TargetKind.Provider, ["gemini-2.5-flash", "gemini-2.5-pro"]),
        new("deepseek", TargetProtocol.OpenAi, TargetKind.Provider, ["deepseek-chat", "deepseek-reasoner"])
        {
            StreamKeepAlive = true,
            ReasoningModels = ["deepseek-reasoner"],
        },
    ];
}
