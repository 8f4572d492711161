using System.Text.RegularExpressions;

namespace RelayExporter.Configuration;

public enum TargetKind { Provider, Relay }

/// <summary>One base URL with one credential: a relay or a provider, the models to probe and the checks to run.</summary>
public sealed partial class TargetOptions
{
    public string Name { get; set; } = "";
    public TargetKind Kind { get; set; } = TargetKind.Provider;
    public ProtocolKind? Protocol { get; set; }

    /// <summary>The API root without a version segment, e.g. <c>https://api.openai.com</c>.</summary>
    public string BaseUrl { get; set; } = "";

    public CredentialOptions? Credential { get; set; }

    /// <summary>Headers sent with every request to the target (a gateway's own settings or key), literal or secret.</summary>
    public Dictionary<string, HeaderValue> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Query parameters sent with every API request (models, chat, stream), such as Azure's <c>api-version</c>.</summary>
    public Dictionary<string, string> Query { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Azure OpenAI targets only: which API, and the deployment of each model.</summary>
    public AzureOptions? Azure { get; set; }
    public TlsOptions Tls { get; set; } = new();
    public List<string> Models { get; set; } = [];

    /// <summary>Check name → its settings. When absent: relays run health and models, providers run models.</summary>
    public Dictionary<string, CheckOptions>? Checks { get; set; }

    /// <summary>Model → USD per million tokens at this target (a relay's mark-up); a model not listed here has the global price.</summary>
    public Dictionary<string, ModelPrice> Prices { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Relay targets only: model → the provider target that probes it directly, to compare with (see <see cref="DirectPairing"/>).</summary>
    public Dictionary<string, string> Direct { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex NamePattern();

    public Uri BaseUri => new(BaseUrl.TrimEnd('/') + "/");

    /// <summary>The header the credential goes in; null when it goes in the query string.</summary>
    public string? CredentialHeader => Credential?.Query is not null ? null : Credential?.Header ?? ProtocolDescription?.DefaultCredentialHeader ?? RequestHeaders.Authorization;

    /// <summary>What is known of the target's protocol; null when the configuration names none.</summary>
    public ProtocolDescription? ProtocolDescription => Protocol is { } protocol ? ProtocolKinds.Of(protocol) : null;

    /// <summary>Headers whose values are secret: the credential's and the secret static headers. A debug trace shows none of them.</summary>
    public IReadOnlySet<string> SecretHeaders => _secretHeaders ??= Headers.Where(h => h.Value.IsSecret).Select(h => h.Key)
        .Concat(CredentialHeader is { } header && Credential is not null ? [header] : [])
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    private IReadOnlySet<string>? _secretHeaders;

    /// <summary>The Azure settings as they apply (the defaults when the target has none).</summary>
    public AzureOptions EffectiveAzure => Azure ?? new AzureOptions();

    public IReadOnlyDictionary<string, CheckOptions> EffectiveChecks => Checks
        ?? (Kind == TargetKind.Relay
            ? new Dictionary<string, CheckOptions> { [CheckKinds.Health.Name] = new(), [CheckKinds.Models.Name] = new() }
            : new Dictionary<string, CheckOptions> { [CheckKinds.Models.Name] = new() });

    public void Validate(string key, ConfigProblems problems)
    {
        if (string.IsNullOrWhiteSpace(Name)) problems.Add($"{key}:name", "is required");
        else if (!NamePattern().IsMatch(Name))
            problems.Add($"{key}:name", $"\"{Name}\" must be 1-63 letters, digits, '_', '.' or '-' (it becomes a metric label)");

        if (Protocol is null && !problems.ReportedAt($"{key}:protocol")) problems.Add($"{key}:protocol", $"is required; one of: {string.Join(", ", ProtocolKinds.All)}");
        ValidateBaseUrl(key, problems);

        Credential?.Validate($"{key}:credential", problems);
        Credential?.ValidatePlacement($"{key}:credential", problems);
        ValidateHeaders(key, problems);
        ValidateQuery(key, problems);
        ValidateAzure(key, problems);
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
            if (CheckKinds.Find(name) is not { } kind) { problems.Add(checkKey, CheckKinds.UnknownReason(name)); continue; }
            if (kind.PerModel && Models.Count == 0) problems.Add(checkKey, $"the {name} check needs at least one entry in models");
            check.Validate(checkKey, kind, problems);
        }
    }

    private void ValidateHeaders(string key, ConfigProblems problems)
    {
        foreach (var (name, value) in Headers)
        {
            var headerKey = $"{key}:headers:{name}";
            if (RequestHeaders.NameProblem(name) is { } problem) problems.Add(headerKey, problem);
            else if (RequestHeaders.IsControlledByTransport(name))
                problems.Add(headerKey, $"{name} is set by the exporter's HTTP client itself; it cannot be configured");
            else if (Credential is not null && string.Equals(name, CredentialHeader, StringComparison.OrdinalIgnoreCase))
                problems.Add(headerKey, $"{name} carries the credential; set the key with credential (env or file), or send the credential in another header with credential.header");
            else if (ProtocolDescription?.HeadersItSets.Contains(name, StringComparer.OrdinalIgnoreCase) == true)
                problems.Add(headerKey, $"{name} is sent by the {ProtocolDescription!.Name} protocol itself; it cannot be configured");
            value.Validate(headerKey, problems);
        }
    }

    private void ValidateQuery(string key, ConfigProblems problems)
    {
        foreach (var (name, value) in Query)
        {
            if (QueryParameters.NameProblem(name) is { } problem) problems.Add($"{key}:query:{name}", problem);
            else if (string.Equals(name, Credential?.Query, StringComparison.Ordinal))
                problems.Add($"{key}:query:{name}", $"{name} carries the credential (credential.query); the key is never written in the file");
        }
    }

    private void ValidateAzure(string key, ConfigProblems problems)
    {
        if (Protocol != ProtocolKind.AzureOpenai)
        {
            if (Azure is not null) problems.Add($"{key}:azure", $"only a target with protocol {ProtocolKinds.AzureOpenai.Name} has azure settings");
            return;
        }
        Azure?.Validate($"{key}:azure", Models, problems);
        if (EffectiveAzure.Api == AzureApi.Deployments && !Query.ContainsKey("api-version") && !problems.ReportedAt($"{key}:azure:api"))
            problems.Add($"{key}:query", "the Azure deployments API needs an api-version: set query: { api-version: 2024-10-21 } (or use azure.api: v1)");
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
            var models = ProtocolDescription?.ModelsPath ?? "v1/models";
            problems.Add($"{key}:base_url", $"must not end in /{version}: the exporter adds the API version itself (it asks {BaseUrl.TrimEnd('/')}/{models}); use {root}");
        }
    }
}
