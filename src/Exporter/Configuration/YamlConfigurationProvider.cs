using System.Globalization;
using Microsoft.Extensions.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace RelayExporter.Configuration;

/// <summary>Reads a YAML file into configuration keys (<c>targets:0:base_url</c>), remembering the line of every key.</summary>
public sealed class YamlConfigurationProvider(string path) : ConfigurationProvider
{
    private readonly Dictionary<string, int> _lines = new(StringComparer.OrdinalIgnoreCase);
    // The child keys of every mapping and list, so a section's children are found without scanning every key
    // (the base class scans them all for each section: minutes of binding for a fleet of thousands of targets).
    private readonly Dictionary<string, List<string>> _children = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, int> Lines => _lines;

    /// <summary>Problems with the file itself (unreadable, YAML syntax, duplicate keys). Empty when it parsed.</summary>
    public List<ConfigProblem> FileProblems { get; } = [];

    public override void Load()
    {
        Data.Clear();
        _lines.Clear();
        _children.Clear();
        FileProblems.Clear();
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            FileProblems.Add(new ConfigProblem(path, null, "", $"cannot read the file: {e.Message}"));
            return;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            var reason = (e.InnerException?.Message ?? e.Message).Trim();
            FileProblems.Add(new ConfigProblem(path, (int)e.Start.Line, "", $"invalid YAML: {reason}"));
            return;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            FileProblems.Add(new ConfigProblem(path, null, "", "the file is empty"));
            return;
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            FileProblems.Add(new ConfigProblem(path, (int)stream.Documents[0].RootNode.Start.Line, "", "the top level must be a mapping of keys"));
            return;
        }
        Visit(root, "");
    }

    public override IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath)
    {
        var keys = new List<string>(earlierKeys);
        if (_children.TryGetValue(parentPath ?? "", out var children)) keys.AddRange(children);
        keys.Sort(ConfigurationKeyComparer.Instance);
        return keys;
    }

    private void Visit(YamlNode node, string key)
    {
        if (key.Length > 0) _lines[key] = (int)node.Start.Line;
        switch (node)
        {
            case YamlMappingNode mapping when mapping.Children.Count == 0:
            case YamlSequenceNode { Children.Count: 0 }:
                Data[key] = null;
                break;
            case YamlMappingNode mapping:
                foreach (var (childKey, child) in mapping.Children)
                {
                    var name = (childKey as YamlScalarNode)?.Value ?? childKey.ToString();
                    var childPath = key.Length == 0 ? name : $"{key}:{name}";
                    if (_lines.ContainsKey(childPath))
                        FileProblems.Add(new ConfigProblem(path, (int)childKey.Start.Line, ConfigProblems.DisplayPath(childPath), "duplicate key"));
                    else
                        Child(key, name);
                    Visit(child, childPath);
                }
                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Child(key, i.ToString(CultureInfo.InvariantCulture));
                    Visit(sequence.Children[i], $"{key}:{i}");
                }
                break;
            case YamlScalarNode scalar:
                Data[key] = scalar.Style == ScalarStyle.Plain && scalar.Value is "~" or "null" or "" ? null : scalar.Value;
                break;
        }
    }

    private void Child(string parent, string name)
    {
        if (!_children.TryGetValue(parent, out var children)) _children[parent] = children = [];
        children.Add(name);
    }
}
