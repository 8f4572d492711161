using System.Text;
using RelayExporter.Configuration;

namespace RelayExporter.Benchmarks.Infrastructure;

/// <summary>
/// Writes exporter configurations for the benchmarks: many OpenAI-compatible relay targets spread over a few simulator
/// base URLs, every one probing model gpt-4.1 with the same checks. Loaded through the exporter's own loader.
/// </summary>
public static class FleetConfig
{
    /// <summary>The simulator accepts any non-empty key; the configuration names this variable.</summary>
    public const string CredentialVariable = "BENCH_API_KEY";
    public const string CredentialValue = "bench-key";

    static FleetConfig() => Environment.SetEnvironmentVariable(CredentialVariable, CredentialValue);

    /// <param name="targets">How many targets, named <c>{prefix}-00000</c>… and assigned to <paramref name="baseUrls"/> in turn.</param>
    /// <param name="checks">The checks of every target as a YAML flow map, e.g. <c>{ models: { interval: 30s } }</c>.</param>
    public static TempFile Write(string prefix, int targets, IReadOnlyList<string> baseUrls, string checks)
    {
        var yaml = new StringBuilder("targets:\n");
        for (var i = 0; i < targets; i++)
        {
            yaml.Append($"  - name: {prefix}-{i:D5}\n")
                .Append("    kind: relay\n")
                .Append("    protocol: openai\n")
                .Append($"    base_url: {baseUrls[i % baseUrls.Count]}\n")
                .Append($"    credential: {{ env: {CredentialVariable} }}\n")
                .Append("    models: [gpt-4.1]\n")
                .Append($"    checks: {checks}\n");
        }
        return TempFile.Write(prefix, yaml.ToString());
    }

    public static ExporterOptions Load(string path) => ConfigLoader.Load(path);
}
