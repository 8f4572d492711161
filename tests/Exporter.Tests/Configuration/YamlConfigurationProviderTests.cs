using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using RelayExporter.Configuration;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Configuration;

public class YamlConfigurationProviderTests
{
    public static TheoryData<string> Files => new()
    {
        RepositoryPaths.File("examples", "relay-exporter.yml"),
        RepositoryPaths.File("examples", "simulator.yml"),
        RepositoryPaths.File("tests", "Exporter.Tests", "Configuration", "testdata", "invalid-models-not-a-list.yml"),
        RepositoryPaths.File("tests", "Exporter.Tests", "Configuration", "testdata", "invalid-unknown-key.yml"),
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_section_has_the_children_that_scanning_every_key_finds(string file)
    {
        var yaml = new YamlConfigurationProvider(file);
        yaml.Load();
        // The same keys in the stock provider, whose GetChildKeys scans them all.
        var scanning = new MemoryConfigurationProvider(new MemoryConfigurationSource());
        foreach (var (key, value) in yaml.GetData()) scanning.Set(key, value);

        var ours = Tree(new ConfigurationRoot([yaml]));
        var reference = Tree(new ConfigurationRoot([scanning]));

        Assert.True(reference.Count > 3, $"{file} has {reference.Count} sections");
        Assert.Equal(reference, ours);
    }

    /// <summary>Every section's path with its children's keys, in the order configuration returns them.</summary>
    private static List<string> Tree(IConfiguration configuration)
    {
        var lines = new List<string>();
        void Walk(IEnumerable<IConfigurationSection> sections)
        {
            foreach (var section in sections)
            {
                var children = section.GetChildren().ToList();
                lines.Add($"{section.Path} = {section.Value} [{string.Join(", ", children.Select(c => c.Key))}]");
                Walk(children);
            }
        }

        Walk(configuration.GetChildren());
        return lines;
    }
}

internal static class ConfigurationProviderData
{
    /// <summary>Every key and value the provider loaded (its protected <c>Data</c>).</summary>
    public static IDictionary<string, string?> GetData(this ConfigurationProvider provider) =>
        (IDictionary<string, string?>)typeof(ConfigurationProvider)
            .GetProperty("Data", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(provider)!;
}
