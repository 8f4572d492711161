namespace RelayExporter.Protocols;

/// <summary>What the chat and stream checks ask for: one tiny completion.</summary>
/// <param name="Path">The check's configured path (may hold <c>{model}</c>); null for the protocol's own.</param>
public sealed record ChatProbeRequest(string Model, string Prompt, int MaxTokens, bool Stream, string? Path = null);

/// <summary>Tokens a response reports having used; either part may be unknown.</summary>
public sealed record TokenUsage(long? InputTokens, long? OutputTokens)
{
    /// <summary>Streams report usage in pieces (Anthropic: input at the start, output at the end); later pieces win.</summary>
    public TokenUsage MergeWith(TokenUsage? later) =>
        later is null ? this : new TokenUsage(later.InputTokens ?? InputTokens, later.OutputTokens ?? OutputTokens);
}

/// <summary>A complete, non-streamed chat answer.</summary>
/// <param name="Model">The model the response says answered; null when it does not say.</param>
public sealed record ChatReply(string Text, TokenUsage? Usage, string? FinishReason, string? Model);

/// <summary>
/// What one server-sent event of a streamed answer means, whatever the protocol. A frame that carries nothing
/// the probe cares about (role-only deltas, pings, content_block_start …) has every property unset.
/// </summary>
public sealed record StreamFrame
{
    public static readonly StreamFrame Nothing = new();

    /// <summary>Non-empty answer text carried by this frame.</summary>
    public string? Content { get; init; }

    /// <summary>Non-empty reasoning ("thinking") text carried by this frame.</summary>
    public string? Reasoning { get; init; }

    public TokenUsage? Usage { get; init; }
    public string? FinishReason { get; init; }

    /// <summary>The model the frame says is answering, when it says.</summary>
    public string? Model { get; init; }

    /// <summary>The protocol's explicit end of stream: <c>[DONE]</c>, <c>message_stop</c>.</summary>
    public bool IsEnd { get; init; }

    /// <summary>An error event inside a 200 stream: the provider's error type (e.g. <c>overloaded_error</c>).</summary>
    public string? ErrorType { get; init; }

    /// <summary>The error event's code, when it has one besides its type: <c>invalid_api_key</c>, <c>429</c>.</summary>
    public string? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }
}
