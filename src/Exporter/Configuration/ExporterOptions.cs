namespace RelayExporter.Configuration;

/// <summary>The whole configuration file. Keys are the snake_case names of these properties.</summary>
public sealed class ExporterOptions
{
    public DefaultsOptions Defaults { get; set; } = new();
    public List<TargetOptions> Targets { get; set; } = [];
    public HealthOptions Health { get; set; } = new();
    public CircuitOptions Circuit { get; set; } = new();
    public ProbingOptions Probing { get; set; } = new();
    public MetricsOptions Metrics { get; set; } = new();

    /// <summary>Model → the models to try, in order, when no target can serve it.</summary>
    public Dictionary<string, List<string>> Fallbacks { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Model → USD per million tokens, used to price each probe.</summary>
    public Dictionary<string, ModelPrice> Prices { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public BudgetOptions Budget { get; set; } = new();
    public AdminOptions Admin { get; set; } = new();

    public void Validate(ConfigProblems problems)
    {
        if (Targets.Count == 0) problems.Add("targets", "at least one target is required");
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Targets.Count; i++)
        {
            Targets[i].Validate($"targets:{i}", problems);
            ValidateEffectiveTimeouts(i, problems);
            if (string.IsNullOrEmpty(Targets[i].Name)) continue;
            if (seen.TryGetValue(Targets[i].Name, out var first))
                problems.Add($"targets:{i}:name", $"duplicate target name \"{Targets[i].Name}\" (first used by targets[{first}])");
            else seen[Targets[i].Name] = i;
        }
        DirectPairing.Validate(this, problems);
        Defaults.Validate("defaults", problems);
        Health.Validate("health", problems);
        Circuit.Validate("circuit", problems);
        Probing.Validate("probing", problems);
        foreach (var (model, chain) in Fallbacks)
        {
            if (chain.Count == 0) problems.Add($"fallbacks:{model}", "a fallback chain needs at least one model");
            if (chain.Contains(model, StringComparer.OrdinalIgnoreCase)) problems.Add($"fallbacks:{model}", "a model cannot fall back to itself");
        }
        foreach (var (model, price) in Prices) price.Validate($"prices:{model}", problems);
        Budget.Validate("budget", problems);
        Admin.Validate("admin", problems);
    }

    /// <summary>A model's price at a target: the target's own (a relay's mark-up), else the global table's; null when neither has one.</summary>
    public ModelPrice? PriceOf(TargetOptions target, string model) =>
        target.Prices.GetValueOrDefault(model) ?? Prices.GetValueOrDefault(model);

    /// <summary>
    /// Every secret this configuration holds, as loaded: what the redactor takes out of whatever an upstream sends back.
    /// A new kind of secret in the configuration is added here.
    /// </summary>
    public IEnumerable<Secret> Secrets() =>
        Targets.Select(t => t.Credential).Append(Admin.Token)
            .Concat(Targets.SelectMany(t => t.Headers.Values).Select(header => header.SecretSource))
            .Select(source => source?.Value).OfType<Secret>();

    /// <summary>Every configured model of every target, each a health subject with series of its own.</summary>
    public HashSet<(string Target, string Model)> TargetModels() => Targets.SelectMany(t => t.Models.Select(m => (t.Name, m))).ToHashSet();

    /// <summary>A check's settings as they apply: the target's own, then <c>defaults</c>, then the built-in ones.</summary>
    public CheckOptions EffectiveCheck(TargetOptions target, string check) =>
        target.EffectiveChecks[check]
            .Over(Defaults.Checks.GetValueOrDefault(check) ?? new CheckOptions())
            .Over(CheckKinds.Of(check).Defaults);

    private void ValidateEffectiveTimeouts(int index, ConfigProblems problems)
    {
        foreach (var check in Targets[index].EffectiveChecks.Keys.Where(CheckKinds.IsKnown))
        {
            var effective = EffectiveCheck(Targets[index], check);
            if (effective.Interval < CheckOptions.MinimumInterval) continue; // reported on its own
            if (effective.Timeout > effective.Interval)
                problems.Add($"targets:{index}:checks:{check}:timeout",
                    $"{PrometheusDuration.Format(effective.Timeout!.Value)} is longer than the interval {PrometheusDuration.Format(effective.Interval!.Value)}");
        }
    }
}

/// <summary>Check settings that apply to every target unless the target sets its own.</summary>
public sealed class DefaultsOptions
{
    public Dictionary<string, CheckOptions> Checks { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public void Validate(string key, ConfigProblems problems)
    {
        foreach (var (name, check) in Checks)
        {
            if (CheckKinds.Find(name) is not { } kind) problems.Add($"{key}:checks:{name}", CheckKinds.UnknownReason(name));
            else check.Validate($"{key}:checks:{name}", kind, problems);
        }
    }
}
