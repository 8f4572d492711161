namespace RelayExporter.Configuration;

/// <summary>
/// Where a secret lives: an environment variable or a file. The secret itself is never written in the YAML.
/// A target's credential also says where the key goes: by default where the protocol puts it
/// (<see cref="ProtocolDescription.DefaultCredentialHeader"/>; Gemini's is <c>x-goog-api-key</c>); <see cref="Header"/>
/// names another header (<c>api-key</c>, <c>x-api-key</c>, <c>apikey</c>), <see cref="Query"/> a query parameter instead
/// (such as <c>key</c>, for a gateway that takes Gemini's key only there).
/// </summary>
public sealed class CredentialOptions
{
    public string? Env { get; set; }
    public string? File { get; set; }

    /// <summary>
    /// The secret as read when the configuration was loaded (validation reads it), or null when it could not be read
    /// (validation reports why). Probes send this value and the redactor knows it: nothing reads the variable or the
    /// file again until the configuration is reloaded, which is how a rotated key is picked up.
    /// </summary>
    public Secret? Value => _value;

    private Secret? _value; // not a settable property: the binder would take it for a key of the file

    /// <summary>Target credentials: the header that carries the key as it is; <c>Authorization</c> carries it as a <c>Bearer</c> token.</summary>
    public string? Header { get; set; }

    /// <summary>Target credentials: the query parameter that carries the key.</summary>
    public string? Query { get; set; }

    /// <summary>A target's credential: where the key goes.</summary>
    public void ValidatePlacement(string key, ConfigProblems problems)
    {
        if (Header is not null && Query is not null) problems.Add(key, "set at most one of header or query: the key is sent in one place");
        if (Header is not null && RequestHeaders.NameProblem(Header) is { } headerProblem) problems.Add($"{key}:header", headerProblem);
        else if (Header is not null && RequestHeaders.IsControlledByTransport(Header))
            problems.Add($"{key}:header", $"{Header} is set by the HTTP client itself and cannot carry the key");
        if (Query is not null && QueryParameters.NameProblem(Query) is { } queryProblem) problems.Add($"{key}:query", queryProblem);
    }

    /// <summary>A secret the exporter does not send anywhere (the admin token) has no placement.</summary>
    public void RefusePlacement(string key, ConfigProblems problems)
    {
        if (Header is not null) problems.Add($"{key}:header", "only a target's credential is sent in a header of choice");
        if (Query is not null) problems.Add($"{key}:query", "only a target's credential is sent in a query parameter");
    }

    public void Validate(string key, ConfigProblems problems)
    {
        if (Env is null == (File is null))
        {
            problems.Add(key, "set exactly one of env (an environment variable name) or file (a path)");
            return;
        }
        if (Env is not null)
        {
            _value = Loaded(Environment.GetEnvironmentVariable(Env));
            if (_value is null) problems.Add($"{key}:env", $"environment variable {Env} is not set or is empty");
        }
        if (File is not null)
        {
            if (!System.IO.File.Exists(File)) problems.Add($"{key}:file", $"file {File} does not exist");
            else if ((_value = Loaded(TryRead(File))) is null) problems.Add($"{key}:file", $"file {File} cannot be read or is empty");
        }
    }

    private static Secret? Loaded(string? text) => text?.Trim() is { Length: > 0 } value ? new Secret(value) : null;

    private static string? TryRead(string path)
    {
        try
        {
            return System.IO.File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>A credential value. Its ToString never shows it, so it cannot slip into a log line or a message.</summary>
public sealed class Secret(string value)
{
    public string Reveal() => value;
    public override string ToString() => "[redacted]";
}
