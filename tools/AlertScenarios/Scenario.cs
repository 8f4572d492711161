namespace RelayExporter.AlertScenarios;

/// <summary>
/// One failure an on-call engineer cares about, played on its own simulated relay (named after the scenario) so that every
/// scenario records in the same run. <see cref="Inject"/> sets the fault once the healthy baseline is recorded;
/// <see cref="Tick"/>, when set, is called about four times a second for the whole run (faults that come and go).
/// </summary>
internal sealed record Scenario(string Name, string Description)
{
    /// <summary>Models the relay serves and the exporter probes.</summary>
    public static readonly string[] Models = ["gpt-4.1", "claude-sonnet-4.5"];

    /// <summary>Upstream providers the relay's health document reports.</summary>
    public static readonly string[] Providers = ["openai", "anthropic"];

    public Func<FaultClient, Task> Inject { get; init; } = _ => Task.CompletedTask;

    /// <summary>Called with the time since the run began and whether the fault phase has begun.</summary>
    public Func<FaultClient, TimeSpan, bool, Task>? Tick { get; init; }

    /// <summary>Options of the chat and stream checks in the exporter's YAML (flow style); null: the exporter's defaults.</summary>
    public string? PaidChecks { get; init; }

    /// <summary>Served over HTTPS with a certificate that expires this long after the run starts.</summary>
    public TimeSpan? CertificateValidity { get; init; }

    /// <summary>
    /// What must reach a person: each alert notified (firing and not inhibited), by when after the fault. Any other critical
    /// alert that would be notified is a wrong page; a scenario that expects nothing expects no alert at all.
    /// </summary>
    public IReadOnlyList<ExpectedAlert> Expected { get; init; } = [];

    /// <summary>The fault is there from the start (nothing is injected): times count from the first scrape.</summary>
    public bool FaultFromStart => CertificateValidity is not null;

    /// <summary>
    /// A healthy provider target, <see cref="DirectTarget"/>, probes the same models with the same checks, and the relay's
    /// direct mapping names it: what the relay adds is measured against it.
    /// </summary>
    public bool WithDirectProvider { get; init; }

    public string DirectTarget => $"{Name}-direct";

    /// <summary>The targets whose series the fixture holds.</summary>
    public IEnumerable<string> Targets => WithDirectProvider ? [Name, DirectTarget] : [Name];

    /// <summary>The steady state at the end of the recording repeated (in promtool time) until this long after the fault.</summary>
    public TimeSpan? ExtendTo { get; init; }
}

/// <summary>An alert a scenario must notify: its name, severity, identifying labels (besides the target), and a deadline.</summary>
internal sealed record ExpectedAlert(string Alert, string Severity, TimeSpan Deadline, params (string Name, string Value)[] Labels)
{
    public bool Matches(FiredAlert fired, string? target) =>
        fired.Name == Alert && fired.Labels.GetValueOrDefault("severity") == Severity && fired.Labels.GetValueOrDefault("target") == target
        && Labels.All(l => fired.Labels.GetValueOrDefault(l.Name) == l.Value);
}
