namespace RelayExporter.Configuration;

/// <summary>Admin calls (reload, circuit override) and paid on-demand probes need this bearer token; without one they are refused.</summary>
public sealed class AdminOptions
{
    public CredentialOptions? Token { get; set; }

    public void Validate(string key, ConfigProblems problems)
    {
        Token?.Validate($"{key}:token", problems);
        Token?.RefusePlacement($"{key}:token", problems);
    }
}
