namespace RelayExporter.Configuration;

/// <summary>Where a secret lives: an environment variable or a file. The secret itself is never written in the YAML.</summary>
public sealed class CredentialOptions
{
    public string? Env { get; set; }
    public string? File { get; set; }

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

    /// <summary>The secret, read now; null when it cannot be had (validation reports why).</summary>
    public Secret? Resolve() =>
        (Env is not null ? Environment.GetEnvironmentVariable(Env) : File is not null ? TryRead(File) : null) is { Length: > 0 } value
            ? new Secret(value.Trim())
            : null;

    private static string? TryRead(string path)
    {
        try
        {
            var text = System.IO.File.ReadAllText(path).Trim();
            return text.Length > 0 ? text : null;
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
