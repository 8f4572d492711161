namespace RelayExporter.Configuration;

/// <summary>
/// The value of one static header a target needs: written in the file (<c>X-Title: relay-exporter</c>), or a secret
/// read from an environment variable or a file like the credential (<c>{ env: PORTKEY_API_KEY }</c>), optionally after a
/// fixed prefix (<c>{ env: HELICONE_API_KEY, prefix: "Bearer " }</c>). A secret one is redacted like the credential.
/// </summary>
public sealed class HeaderValue
{
    /// <summary>The value, written in the file; the YAML shorthand <c>Name: value</c> sets this.</summary>
    public string? Value { get; set; }

    public string? Env { get; set; }
    public string? File { get; set; }

    /// <summary>Text sent before a secret, such as <c>"Bearer "</c>; it is not itself secret.</summary>
    public string? Prefix { get; set; }

    private CredentialOptions? _secret;

    /// <summary>Whether the value is a secret (from env or file) rather than written in the file.</summary>
    public bool IsSecret => Env is not null || File is not null;

    /// <summary>The secret part, loaded with the configuration as a credential is (a rotated file is picked up by a reload); null for a literal value.</summary>
    public CredentialOptions? SecretSource => IsSecret ? _secret ??= new CredentialOptions { Env = Env, File = File } : null;

    /// <summary>The header value to send now; null when its secret cannot be had (validation reports why).</summary>
    public string? Resolve() => IsSecret
        ? SecretSource!.Value?.Reveal() is { } secret ? Prefix + secret : null
        : Value;

    public void Validate(string key, ConfigProblems problems)
    {
        if (Value is not null && IsSecret)
        {
            problems.Add(key, "set either a value, or env or file for a secret value, not both");
            return;
        }
        if (Value is null && !IsSecret)
        {
            problems.Add(key, "needs a value, or env or file for a secret value");
            return;
        }
        if (Value is { Length: 0 }) problems.Add($"{key}:value", "cannot be empty");
        if (Value is not null && Prefix is not null) problems.Add($"{key}:prefix", "only a secret value (env or file) takes a prefix; write it into the value");
        if (Value is not null && HasLineBreak(Value)) problems.Add($"{key}:value", "must not contain a line break or other control character");
        if (Prefix is not null && HasLineBreak(Prefix)) problems.Add($"{key}:prefix", "must not contain a line break or other control character");
        SecretSource?.Validate(key, problems);
    }

    private static bool HasLineBreak(string text) => text.Any(c => char.IsControl(c) && c != '\t');
}
