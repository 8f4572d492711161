namespace RelayExporter.Configuration;

/// <summary>Collects problems while a configuration is read and validated, resolving key paths to file lines.</summary>
public sealed class ConfigProblems(string source, IReadOnlyDictionary<string, int> lines)
{
    private readonly List<ConfigProblem> _problems = [];

    public IReadOnlyList<ConfigProblem> All => _problems;
    public bool Any => _problems.Count > 0;

    /// <param name="configurationKey">An IConfiguration key such as <c>targets:0:base_url</c>.</param>
    public void Add(string configurationKey, string reason) =>
        _problems.Add(new ConfigProblem(source, LineOf(configurationKey), DisplayPath(configurationKey), reason));

    /// <summary>True when a problem was already reported at this key, e.g. a value that could not be read.</summary>
    public bool ReportedAt(string configurationKey) => _problems.Any(p => p.KeyPath == DisplayPath(configurationKey));

    private int? LineOf(string key)
    {
        // A missing key has no line of its own: report the nearest parent that the file does contain.
        for (var k = key; k.Length > 0; k = k.Contains(':') ? k[..k.LastIndexOf(':')] : "")
        {
            if (lines.TryGetValue(k, out var line)) return line;
        }
        return null;
    }

    /// <summary><c>targets:0:checks:models:interval</c> → <c>targets[0].checks.models.interval</c>.</summary>
    public static string DisplayPath(string configurationKey)
    {
        var parts = configurationKey.Split(':', StringSplitOptions.RemoveEmptyEntries);
        var path = new System.Text.StringBuilder();
        foreach (var part in parts)
        {
            if (part.All(char.IsAsciiDigit)) path.Append('[').Append(part).Append(']');
            else path.Append(path.Length == 0 ? "" : ".").Append(part);
        }
        return path.ToString();
    }
}
