using Microsoft.Extensions.Configuration;
using RelayExporter.Configuration;

namespace RelayExporter.Web;

/// <summary>Reads and validates the web configuration file; every problem is reported, with file, line and key.</summary>
public static class WebConfigLoader
{
    public static WebConfig Load(string path)
    {
        var yaml = new YamlConfigurationProvider(path);
        yaml.Load();
        if (yaml.FileProblems.Count > 0) throw new ConfigException(yaml.FileProblems);

        var problems = new ConfigProblems(path, yaml.Lines);
        var config = new StrictConfigBinder(problems).Bind<WebConfig>(new ConfigurationRoot([yaml]));
        config.Validate(problems);
        if (problems.Any) throw new ConfigException(problems.All.OrderBy(p => p.Line ?? int.MaxValue).ToList());
        return config;
    }
}
