namespace RelayExporter.Configuration;

/// <summary>
/// What the configuration knows of one kind of check: its name, whether it sends one request per model, whether the
/// provider bills it, its built-in settings and which of the settings it reads. The check that runs it (an
/// <c>IProbeCheck</c> in Probing/Checks) names its kind; <see cref="CheckKinds.All"/> lists every kind there is.
/// </summary>
public sealed class CheckKind
{
    /// <param name="interval">How often the check runs unless configured otherwise.</param>
    /// <param name="timeout">How long one probe may take unless configured otherwise.</param>
    /// <param name="defaults">The other built-in settings (path, prompt, health document …); interval and timeout are set from the two above.</param>
    public CheckKind(string name, TimeSpan interval, TimeSpan timeout, CheckOptions? defaults = null)
    {
        Name = name;
        var builtIn = defaults ?? new CheckOptions();
        builtIn.Interval = interval;
        builtIn.Timeout = timeout;
        Defaults = builtIn;
    }

    public string Name { get; }

    /// <summary>The check sends one request per configured model (its series carry a model).</summary>
    public bool PerModel { get; init; }

    /// <summary>The check runs a completion, which the provider bills: it is priced, budgeted and needs the admin token on demand.</summary>
    public bool Paid { get; init; }

    /// <summary>The check reads a health document (document, status_field, *_values); no other check accepts those keys.</summary>
    public bool ReadsHealthDocument { get; init; }

    /// <summary>The check's path is a request of the provider API (no query string; <c>{model}</c> when per model), not a free URL path.</summary>
    public bool ApiPath { get; init; } = true;

    /// <summary>The settings that apply when neither the target nor <c>defaults.checks</c> sets them.</summary>
    public CheckOptions Defaults { get; }

    public override string ToString() => Name;
}
