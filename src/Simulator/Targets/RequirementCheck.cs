namespace RelayExporter.Simulator;

/// <summary>Refuses a request that lacks what its target requires (<see cref="TargetRequirements"/>), as the real service would.</summary>
internal static class RequirementCheck
{
    /// <summary>The refusal; null when the request carries everything required.</summary>
    /// <param name="health">A health document request: only the required headers apply.</param>
    public static SimResponse? Refusal(SimRequest request, TargetDefinition definition, IProtocol protocol, bool health)
    {
        var requires = definition.Requires;
        foreach (var (name, value) in requires.Headers)
        {
            if (request.Header(name) is not { } sent) return protocol.Error(ErrorKind.BadRequest, $"the {name} header is required");
            if (sent != value) return protocol.Error(ErrorKind.BadRequest, $"the {name} header has an unexpected value");
        }
        if (health) return null;
        foreach (var (name, value) in requires.Query)
        {
            if (!request.Query.TryGetValue(name, out var sent)) return protocol.Error(ErrorKind.BadRequest, $"the {name} query parameter is required");
            if (sent.ToString() != value) return protocol.Error(ErrorKind.BadRequest, $"the {name} query parameter has an unexpected value");
        }
        if (!requires.PlacesKey && requires.Key is null) return null;
        var place = requires.KeyQuery is { } query ? $"the {query} query parameter" : $"the {KeyHeader(definition)} header";
        if (KeyOf(request, definition) is not { Length: > 0 } key) return protocol.Error(ErrorKind.Unauthorized, $"no API key in {place}");
        return requires.Key is { } expected && key != expected ? protocol.Error(ErrorKind.Unauthorized, "Incorrect API key provided.") : null;
    }

    private static string? KeyOf(SimRequest request, TargetDefinition definition)
    {
        if (definition.Requires.KeyQuery is { } query) return request.Query.TryGetValue(query, out var value) ? value.ToString() : null;
        var header = KeyHeader(definition);
        var sent = request.Header(header);
        if (!header.Equals("Authorization", StringComparison.OrdinalIgnoreCase)) return sent;
        return sent is not null && sent.StartsWith("Bearer ", StringComparison.Ordinal) ? sent["Bearer ".Length..].Trim() : null;
    }

    /// <summary>Where the key must be: the required header, else the protocol's own.</summary>
    private static string KeyHeader(TargetDefinition definition) => definition.Requires.KeyHeader ?? definition.Protocol switch
    {
        TargetProtocol.Anthropic => "x-api-key",
        TargetProtocol.Gemini => "x-goog-api-key",
        TargetProtocol.AzureOpenAi => "api-key",
        _ => "Authorization",
    };
}
