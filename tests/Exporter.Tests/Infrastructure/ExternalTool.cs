namespace RelayExporter.Tests.Infrastructure;

/// <summary>Finds external programs (prometheus, promtool, ...) on PATH.</summary>
public static class ExternalTool
{
    /// <summary>The full path of <paramref name="name"/> on PATH, or an exception telling how to install it.</summary>
    public static string Locate(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"'{name}' was not found on PATH ({path}). Run the project's test script, which installs it " +
            "(Debian packages 'prometheus' (prometheus, promtool) and 'prometheus-alertmanager' (prometheus-alertmanager, amtool)).");
    }
}
