using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using RelayExporter.Configuration;

namespace RelayExporter.Web;

/// <summary>Reads and validates the web configuration file; every problem is reported, with file, line and key.</summary>
public static class WebConfigLoader
{
    // The binder reflects over what it binds: this keeps the web configuration's classes in a trimmed or Native AOT build
    // (the lists and dictionaries they use are kept by the binder itself).
    [DynamicDependency(StrictConfigBinder.Bindable, typeof(WebConfig))]
    [DynamicDependency(StrictConfigBinder.Bindable, typeof(TlsServerConfig))]
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
