namespace RelayExporter.Simulator;

internal enum ErrorKind { BadRequest, Unauthorized, UnknownModel, NotFound, RateLimited, InternalError, BadGateway, Unavailable, Overloaded }

/// <summary>What a target needs to know to answer: its definition, which models a fault has removed, and which model answers for which.</summary>
internal sealed record TargetContext(TargetDefinition Definition, Func<string, bool> IsRemoved, Func<string, string> AnsweringFor)
{
    /// <summary>The key was already checked in its own place (the target's requirements, or a protocol that wraps another).</summary>
    public bool KeyChecked { get; init; } = Definition.Requires.PlacesKey;

    public bool Serves(string model) => Definition.Models.Contains(model) && !IsRemoved(model);

    public IEnumerable<string> ListedModels => Definition.Models.Where(m => !IsRemoved(m));
}

/// <summary>One wire protocol: routes, auth, bodies, stream framing and error shapes.</summary>
internal interface IProtocol
{
    string? ModelOf(SimRequest request);

    bool IsStream(SimRequest request);

    bool HasCredentials(SimRequest request);

    SimResponse Handle(SimRequest request, TargetContext target);

    /// <summary>An error in this protocol's shape; a null message takes the provider's usual wording.</summary>
    BodyResponse Error(ErrorKind kind, string? message = null);

    SseFrame StreamErrorFrame { get; }

    void AddRateLimitHeaders(IDictionary<string, string> headers, RateLimitSnapshot snapshot);

    static IProtocol For(TargetProtocol protocol) => protocol switch
    {
        TargetProtocol.OpenAi => new OpenAiProtocol(),
        TargetProtocol.Anthropic => new AnthropicProtocol(),
        TargetProtocol.AzureOpenAi => new AzureOpenAiProtocol(),
        _ => new GeminiProtocol(),
    };

    static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.BadRequest => 400,
        ErrorKind.Unauthorized => 401,
        ErrorKind.UnknownModel or ErrorKind.NotFound => 404,
        ErrorKind.RateLimited => 429,
        ErrorKind.InternalError => 500,
        ErrorKind.BadGateway => 502,
        _ => 503,
    };
}
