using Microsoft.Extensions.Configuration;

namespace RelayExporter.Configuration;

/// <summary>
/// A check of a configuration by a part of the exporter that knows what it means beyond its shape (the spend projection
/// against the budget). It runs once the configuration has no problems of its own, and reports what it refuses.
/// </summary>
public delegate void ConfigCheck(ExporterOptions options, ConfigProblems problems);

/// <summary>
/// Reads the YAML file, lets <c>RELAY_EXPORTER__</c> environment variables override any key
/// (<c>RELAY_EXPORTER__targets__0__base_url</c>), binds and validates. Every problem is reported, with file, line and key.
/// </summary>
public static class ConfigLoader
{
    public const string OverridePrefix = "RELAY_EXPORTER__";

    /// <param name="check">Run on a configuration without problems of its own; what it reports refuses the file as well.</param>
    public static ExporterOptions Load(string path, ConfigCheck? check = null)
    {
        var yaml = new YamlConfigurationProvider(path);
        var configuration = new ConfigurationBuilder()
            .Add(new PreloadedSource(yaml))
            .AddEnvironmentVariables(OverridePrefix)
            .Build();
        if (yaml.FileProblems.Count > 0) throw new ConfigException(yaml.FileProblems);

        var problems = new ConfigProblems(path, yaml.Lines);
        var options = new StrictConfigBinder(problems).Bind<ExporterOptions>(configuration);
        options.Validate(problems);
        if (!problems.Any) check?.Invoke(options, problems);
        if (problems.Any) throw new ConfigException(problems.All.OrderBy(p => p.Line ?? int.MaxValue).ToList());
        return options;
    }

    /// <summary>Hands the already-created provider to the builder so its line map stays reachable.</summary>
    private sealed class PreloadedSource(YamlConfigurationProvider provider) : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => provider;
    }
}
