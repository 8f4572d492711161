namespace RelayExporter.Configuration;

/// <summary>Settings of one check. Unset values come from <c>defaults.checks</c>, then from <see cref="BuiltIn"/>.</summary>
public sealed class CheckOptions
{
    public TimeSpan? Interval { get; set; }
    public TimeSpan? Timeout { get; set; }

    /// <summary>Path of the relay health document (health check).</summary>
    public string? Path { get; set; }

    /// <summary>Prompt of the chat and stream checks.</summary>
    public string? Prompt { get; set; }

    /// <summary>Text the reply must contain (chat and stream checks).</summary>
    public string? Expect { get; set; }

    public int? MaxTokens { get; set; }

    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Cheap checks run often — every 3 s, so that with the 1 s confirmation probe a hard outage is confirmed within
    /// 5 s — and paid checks rarely.
    /// </summary>
    public static CheckOptions BuiltIn(string check) => check switch
    {
        CheckNames.Health => new() { Interval = TimeSpan.FromSeconds(3), Timeout = TimeSpan.FromSeconds(2), Path = "/health" },
        CheckNames.Models => new() { Interval = TimeSpan.FromSeconds(3), Timeout = TimeSpan.FromSeconds(3) },
        _ => new() { Interval = TimeSpan.FromMinutes(5), Timeout = TimeSpan.FromSeconds(30), Prompt = "Reply with OK", Expect = "OK", MaxTokens = 5 },
    };

    /// <summary>This check's values, with every unset one taken from <paramref name="fallback"/>.</summary>
    public CheckOptions Over(CheckOptions fallback) => new()
    {
        Interval = Interval ?? fallback.Interval,
        Timeout = Timeout ?? fallback.Timeout,
        Path = Path ?? fallback.Path,
        Prompt = Prompt ?? fallback.Prompt,
        Expect = Expect ?? fallback.Expect,
        MaxTokens = MaxTokens ?? fallback.MaxTokens,
    };

    public void Validate(string key, ConfigProblems problems)
    {
        if (Interval is { } interval && interval < MinimumInterval)
            problems.Add($"{key}:interval", $"must be at least {PrometheusDuration.Format(MinimumInterval)}");
        if (Timeout is { } timeout && timeout <= TimeSpan.Zero) problems.Add($"{key}:timeout", "must be greater than zero");
        if (Path is { } path && !path.StartsWith('/')) problems.Add($"{key}:path", "must start with '/'");
        if (MaxTokens is < 1) problems.Add($"{key}:max_tokens", "must be at least 1");
        if (Prompt is { Length: 0 }) problems.Add($"{key}:prompt", "cannot be empty");
    }
}
