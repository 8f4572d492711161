namespace RelayExporter.Configuration;

/// <summary>One thing wrong with a configuration: where (file, line, key path) and why.</summary>
public sealed record ConfigProblem(string Source, int? Line, string KeyPath, string Reason)
{
    public override string ToString()
    {
        var where = Line is { } line ? $"{Source}:{line}" : Source;
        return KeyPath.Length == 0 ? $"{where}: {Reason}" : $"{where}: {KeyPath}: {Reason}";
    }
}

/// <summary>Thrown when a configuration cannot be used; carries every problem found, not just the first.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigProblem> problems)
    : Exception(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<ConfigProblem> Problems { get; } = problems;
}
