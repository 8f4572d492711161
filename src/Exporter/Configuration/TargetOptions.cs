using System.Text.RegularExpressions;

namespace RelayExporter.Configuration;

public enum TargetKind { Provider, Relay }

public enum ProtocolKind { Openai, Anthropic, Gemini }

/// <summary>One base URL with one credential: a relay or a provider, the models to probe and the checks to run.</summary>
public sealed partial class TargetOptions
{
    public string Name { get; set; } = "";
    public TargetKind Kind { get; set; } = TargetKind.Provider;
    public ProtocolKind? Protocol { get; set; }

    /// <summary>The API root without a version segment, e.g. <c>https://api.openai.com</c>.</summary>
    public string BaseUrl { get; set; } = "";

    public CredentialOptions? Credential { get; set; }
    public TlsOptions Tls { get; set; } = new();
    public List<string> Models { get; set; } = [];

    /// <summary>Check name → its settings. When absent: relays run health and models, providers run models.</summary>
    public Dictionary<string, CheckOptions>? Checks { get; set; }

    /// <summary>Model → USD per million tokens at this target (a relay's mark-up); a model not listed here has the global price.</summary>
    public Dictionary<string, ModelPrice> Prices { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex NamePattern();

    public Uri BaseUri => new(BaseUrl.TrimEnd('/') + "/");

    public IReadOnlyDictionary<string, CheckOptions> EffectiveChecks => Checks
        ?? (Kind == TargetKind.Relay
            ? new Dictionary<string, CheckOptions> { [CheckNames.Health] = new(), [CheckNames.Models] = new() }
            : new Dictionary<string, CheckOptions> { [CheckNames.Models] = new() });

    public void Validate(string key, ConfigProblems problems)
    {
        if (string.IsNullOrWhiteSpace(Name)) problems.Add($"{key}:name", "is required");
        else if (!NamePattern().IsMatch(Name))
            problems.Add($"{key}:name", $"\"{Name}\" must be 1-63 letters, digits, '_', '.' or '-' (it becomes a metric label)");

        if (Protocol is null && !problems.ReportedAt($"{key}:protocol")) problems.Add($"{key}:protocol", "is required; one of: openai, anthropic, gemini");
        ValidateBaseUrl(key, problems);

        Credential?.Validate($"{key}:credential", problems);
        Tls.Validate($"{key}:tls", problems);

        for (var i = 0; i < Models.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Models[i])) problems.Add($"{key}:models:{i}", "a model name cannot be empty");
            else if (Models.FindIndex(m => string.Equals(m, Models[i], StringComparison.OrdinalIgnoreCase)) < i)
                problems.Add($"{key}:models:{i}", $"model \"{Models[i]}\" is listed twice");
        }

        foreach (var (model, price) in Prices) price.Validate($"{key}:prices:{model}", problems);

        if (Checks is { Count: 0 }) problems.Add($"{key}:checks", "lists no checks; remove the key to use the defaults");
        foreach (var (name, check) in Checks ?? [])
        {
            var checkKey = $"{key}:checks:{name}";
            if (!CheckNames.All.Contains(name)) { problems.Add(checkKey, CheckNames.UnknownReason(name)); continue; }
            if (CheckNames.IsPerModel(name) && Models.Count == 0) problems.Add(checkKey, $"the {name} check needs at least one entry in models");
            check.Validate(checkKey, name, problems);
        }
    }

    private void ValidateBaseUrl(string key, ConfigProblems problems)
    {
        if (string.IsNullOrWhiteSpace(BaseUrl)) { problems.Add($"{key}:base_url", "is required"); return; }
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add($"{key}:base_url", "must be an absolute http:// or https:// URL");
            return;
        }
        // Credentials are referenced, never written in the file: a URL with a user or a query string would carry them.
        if (uri.UserInfo.Length > 0) problems.Add($"{key}:base_url", "must not contain a user or password; use credential.env or credential.file");
        if (uri.Query.Length > 0) problems.Add($"{key}:base_url", "must not contain a query string; use credential.env or credential.file for keys");
        // Every protocol adds its version segment itself: with it in base_url too, every request goes to /v1/v1/…
        // and ends in a 404 that says nothing about the target.
        var path = uri.AbsolutePath.TrimEnd('/');
        var version = path[(path.LastIndexOf('/') + 1)..];
        if (version.Equals("v1", StringComparison.OrdinalIgnoreCase) || version.Equals("v1beta", StringComparison.OrdinalIgnoreCase))
        {
            var root = BaseUrl.TrimEnd('/')[..^(version.Length + 1)];
            var models = Protocol == ProtocolKind.Gemini ? "v1beta/models" : "v1/models";
            problems.Add($"{key}:base_url", $"must not end in /{version}: the exporter adds the API version itself (it asks {BaseUrl.TrimEnd('/')}/{models}); use {root}");
        }
    }
}
