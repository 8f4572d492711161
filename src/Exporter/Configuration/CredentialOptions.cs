namespace RelayExporter.Configuration;

/// <summary>
/// Where a secret lives: an environment variable or a file. The secret itself is never written in the YAML.
/// A target's credential also says where the key goes: by default where the protocol puts it
/// (<see cref="RequestHeaders.DefaultCredentialHeader"/>); <see cref="Header"/> names another header
/// (<c>api-key</c>, <c>x-api-key</c>, <c>apikey</c>), <see cref="Query"/> a query parameter (Gemini's <c>key</c>).
/// </summary>
public sealed class CredentialOptions
{
    public string? Env { get; set; }
    public string? File { get; set; }

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
        if (Env is not null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Env)))
            problems.Add($"{key}:env", $"environment variable {Env} is not set or is empty");
        if (File is not null)
        {
            if (!System.IO.File.Exists(File)) problems.Add($"{key}:file", $"file {File} does not exist");
            else if (TryRead(File) is null) problems.Add($"{key}:file", $"file {File} cannot be read or is empty");
        }
    }

    private FileRead? _lastRead;

    /// <summary>
    /// The secret as it is now; null when it cannot be had (validation reports why). A file is read again only when
    /// it changed, so a rotated key is picked up without every probe reading the file.
    /// </summary>
    public Secret? Resolve() =>
        (Env is not null ? Environment.GetEnvironmentVariable(Env) : File is not null ? TryRead(File) : null) is { Length: > 0 } value
            ? new Secret(value.Trim())
            : null;

    private string? TryRead(string path)
    {
        try
        {
            var modified = System.IO.File.GetLastWriteTimeUtc(path);
            if (_lastRead is { } last && last.Modified == modified) return last.Text;
            var text = System.IO.File.ReadAllText(path).Trim();
            var read = text.Length > 0 ? text : null;
            _lastRead = new FileRead(modified, read);
            return read;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>What a credential file held when it was last modified.</summary>
internal sealed record FileRead(DateTime Modified, string? Text);

/// <summary>A credential value. Its ToString never shows it, so it cannot slip into a log line or a message.</summary>
public sealed class Secret(string value)
{
    public string Reveal() => value;
    public override string ToString() => "[redacted]";
}
