namespace RelayExporter.Configuration;

/// <summary>What the health check reads of the answer.</summary>
public enum HealthDocument
{
    /// <summary>A JSON health document: its status field, providers, nodes and queue.</summary>
    Json,

    /// <summary>No document: any 2xx answer is a success, whatever its body (a gateway that answers plain text).</summary>
    None,
}

/// <summary>Settings of one check. Unset values come from <c>defaults.checks</c>, then from its kind's <see cref="CheckKind.Defaults"/>.</summary>
public sealed class CheckOptions
{
    public TimeSpan? Interval { get; set; }
    public TimeSpan? Timeout { get; set; }

    /// <summary>
    /// Path of the request, relative to the target's base URL: the health document, or, for the models, chat and stream
    /// checks, instead of the protocol's own path (a gateway serving its models list at <c>/openai/models</c>). Chat and
    /// stream paths may name the model as <c>{model}</c>.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>Prompt of the chat and stream checks.</summary>
    public string? Prompt { get; set; }

    /// <summary>Text the reply must contain (chat and stream checks).</summary>
    public string? Expect { get; set; }

    public int? MaxTokens { get; set; }

    /// <summary>Health check: whether the answer is a JSON health document to read, or only its status code counts.</summary>
    public HealthDocument? Document { get; set; }

    /// <summary>Health check: the document's field with the target's own verdict; dots reach into nested objects (<c>data.status</c>).</summary>
    public string? StatusField { get; set; }

    /// <summary>Health check: values of the status field (any case) that say the target is healthy, degraded, or down.</summary>
    public List<string>? HealthyValues { get; set; }
    public List<string>? DegradedValues { get; set; }
    public List<string>? DownValues { get; set; }

    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(1);

    /// <summary>This check's values, with every unset one taken from <paramref name="fallback"/>.</summary>
    public CheckOptions Over(CheckOptions fallback) => new()
    {
        Interval = Interval ?? fallback.Interval,
        Timeout = Timeout ?? fallback.Timeout,
        Path = Path ?? fallback.Path,
        Prompt = Prompt ?? fallback.Prompt,
        Expect = Expect ?? fallback.Expect,
        MaxTokens = MaxTokens ?? fallback.MaxTokens,
        Document = Document ?? fallback.Document,
        StatusField = StatusField ?? fallback.StatusField,
        HealthyValues = HealthyValues ?? fallback.HealthyValues,
        DegradedValues = DegradedValues ?? fallback.DegradedValues,
        DownValues = DownValues ?? fallback.DownValues,
    };

    /// <summary>These settings for a check of <paramref name="kind"/>: each value, and only the keys the kind reads.</summary>
    public void Validate(string key, CheckKind kind, ConfigProblems problems)
    {
        if (Interval is { } interval && interval < MinimumInterval)
            problems.Add($"{key}:interval", $"must be at least {PrometheusDuration.Format(MinimumInterval)}");
        if (Timeout is { } timeout && timeout <= TimeSpan.Zero) problems.Add($"{key}:timeout", "must be greater than zero");
        if (Path is { } path) ValidatePath($"{key}:path", path, kind, problems);
        if (MaxTokens is < 1) problems.Add($"{key}:max_tokens", "must be at least 1");
        if (Prompt is { Length: 0 }) problems.Add($"{key}:prompt", "cannot be empty");
        if (kind.ReadsHealthDocument) ValidateHealthDocument(key, problems);
        else
        {
            foreach (var (name, value) in HealthOnly())
                if (value is not null) problems.Add($"{key}:{name}", $"only the {string.Join(" and ", CheckKinds.All.Where(k => k.ReadsHealthDocument).Select(k => k.Name))} check reads {name}");
        }
    }

    public const string ModelPlaceholder = "{model}";

    private static void ValidatePath(string key, string path, CheckKind kind, ConfigProblems problems)
    {
        if (!path.StartsWith('/')) { problems.Add(key, "must start with '/'"); return; }
        if (!kind.ApiPath) return;
        if (path.IndexOfAny(['?', '#']) >= 0)
            problems.Add(key, "must not contain a query string; set the target's query parameters with query");
        var rest = kind.PerModel ? path.Replace(ModelPlaceholder, "", StringComparison.Ordinal) : path;
        if (rest.IndexOfAny(['{', '}']) >= 0)
            problems.Add(key, kind.PerModel
                ? $"the only placeholder is {ModelPlaceholder}"
                : $"the {kind.Name} check's path has no placeholders ({ModelPlaceholder} is for the {PerModelChecks()} checks)");
    }

    private static string PerModelChecks()
    {
        var names = CheckKinds.All.Where(k => k.PerModel).Select(k => k.Name).ToList();
        return names.Count > 1 ? $"{string.Join(", ", names[..^1])} and {names[^1]}" : string.Join("", names);
    }

    private IEnumerable<(string Name, object? Value)> HealthOnly() =>
        [("document", Document), ("status_field", StatusField), ("healthy_values", HealthyValues), ("degraded_values", DegradedValues), ("down_values", DownValues)];

    private void ValidateHealthDocument(string key, ConfigProblems problems)
    {
        if (StatusField is { } field && field.Split('.').Any(string.IsNullOrWhiteSpace))
            problems.Add($"{key}:status_field", $"\"{field}\" must be a field name, or names joined by dots (data.status)");
        if (Document == HealthDocument.None)
        {
            foreach (var (name, value) in HealthOnly().Skip(1))
                if (value is not null) problems.Add($"{key}:{name}", "has no effect with document: none (only the status code counts)");
        }
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in new[] { ("healthy_values", HealthyValues), ("degraded_values", DegradedValues), ("down_values", DownValues) })
        {
            if (values is null) continue;
            if (values.Count == 0) problems.Add($"{key}:{name}", "lists no values; remove the key to use the defaults");
            foreach (var value in values)
            {
                if (string.IsNullOrWhiteSpace(value)) problems.Add($"{key}:{name}", "a status value cannot be empty");
                else if (seen.TryGetValue(value, out var first)) problems.Add($"{key}:{name}", $"\"{value}\" is already listed in {first}");
                else seen[value] = name;
            }
        }
    }
}
