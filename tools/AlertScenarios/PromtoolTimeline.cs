using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace RelayExporter.AlertScenarios;

/// <summary>An alert promtool found firing at an evaluation time: labels (without alertname) and rendered annotations.</summary>
internal sealed record FiredAlert(
    string Name, TimeSpan Time, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations)
{
    public string Describe() =>
        Name + "{" + string.Join(", ", Labels.Where(l => l.Key is not ("severity" or "job")).OrderBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => $"{l.Key}={l.Value}")) + "}";

    public bool SameAlert(FiredAlert other) =>
        Name == other.Name && Labels.Count == other.Labels.Count && Labels.All(l => other.Labels.GetValueOrDefault(l.Key) == l.Value);
}

/// <summary>
/// Which alerts the rules fire, at every evaluation time, over promtool's input series: a test that expects no alert of
/// every name at every time fails wherever something fires, and promtool's report of each failure lists what it got.
/// </summary>
internal static partial class PromtoolTimeline
{
    public static async Task<IReadOnlyList<FiredAlert>> ProbeAsync(
        string testsDirectory, string name, IReadOnlyList<(string Series, string Values)> input, IEnumerable<TimeSpan> times,
        IReadOnlyList<string> alertNames, IReadOnlyList<string> groupOrder)
    {
        var file = Path.Combine(testsDirectory, $".probe-{name}.test.yml");
        var yaml = new StringBuilder();
        TestFile.WriteHeader(yaml, groupOrder);
        TestFile.WriteGroupStart(yaml, name, input);
        foreach (var time in times)
        {
            foreach (var alert in alertNames)
                yaml.Append($"      - {{ eval_time: {TestFile.Duration(time)}, alertname: {alert}, exp_alerts: [] }}\n");
        }

        await File.WriteAllTextAsync(file, yaml.ToString());
        try
        {
            var (exitCode, output) = await Promtool.TestAsync(file);
            if (exitCode != 0 && !output.Contains("FAILED:", StringComparison.Ordinal))
                throw new InvalidOperationException($"promtool could not run {file}:\n{output}");
            return Parse(output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    internal static IReadOnlyList<FiredAlert> Parse(string output)
    {
        var fired = new List<FiredAlert>();
        string? alert = null;
        var time = TimeSpan.Zero;
        var inGot = false;
        IReadOnlyDictionary<string, string>? labels = null;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            var header = Header().Match(line);
            if (header.Success)
            {
                alert = header.Groups[1].Value;
                time = ParseDuration(header.Groups[2].Value);
                inGot = false;
            }
            else if (line.StartsWith("got:", StringComparison.Ordinal))
            {
                inGot = true;
            }
            else if (inGot && line.StartsWith("Labels:", StringComparison.Ordinal))
            {
                labels = ParseLabels(line["Labels:".Length..]);
            }
            else if (inGot && line.StartsWith("Annotations:", StringComparison.Ordinal) && labels is not null && alert is not null)
            {
                fired.Add(new FiredAlert(alert, time, labels.Where(l => l.Key != "alertname").ToDictionary(), ParseLabels(line["Annotations:".Length..])));
                labels = null;
            }
        }

        return fired;
    }

    [GeneratedRegex(@"^alertname: (\S+), time: (\S+),")]
    private static partial Regex Header();

    internal static TimeSpan ParseDuration(string text)
    {
        var total = TimeSpan.Zero;
        foreach (Match part in DurationPart().Matches(text))
        {
            var n = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(n),
                "m" => TimeSpan.FromMinutes(n),
                "s" => TimeSpan.FromSeconds(n),
                "ms" => TimeSpan.FromMilliseconds(n),
                _ => TimeSpan.FromDays(n),
            };
        }

        return total;
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|h|m|s|d)")]
    private static partial Regex DurationPart();

    /// <summary>Go's <c>{name="value", …}</c> with strconv.Quote'd values.</summary>
    internal static Dictionary<string, string> ParseLabels(string text)
    {
        var result = new Dictionary<string, string>();
        var i = text.IndexOf('{') + 1;
        while (i < text.Length && text[i] != '}')
        {
            var equals = text.IndexOf('=', i);
            var name = text[i..equals].Trim();
            i = equals + 2; // past ="
            var value = new StringBuilder();
            while (text[i] != '"')
            {
                if (text[i] == '\\')
                {
                    i++;
                    switch (text[i])
                    {
                        case 'n': value.Append('\n'); break;
                        case 't': value.Append('\t'); break;
                        case 'r': value.Append('\r'); break;
                        case 'u':
                            value.Append((char)int.Parse(text.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                            i += 4;
                            break;
                        case 'x':
                            value.Append((char)int.Parse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                            i += 2;
                            break;
                        default: value.Append(text[i]); break;
                    }
                }
                else
                {
                    value.Append(text[i]);
                }

                i++;
            }

            result[name] = value.ToString();
            i++; // past the closing quote
            while (i < text.Length && (text[i] == ',' || text[i] == ' ')) i++;
        }

        return result;
    }
}

/// <summary>Runs <c>promtool test rules</c>.</summary>
internal static class Promtool
{
    public static async Task<(int ExitCode, string Output)> TestAsync(string file)
    {
        var start = new System.Diagnostics.ProcessStartInfo("promtool")
        {
            ArgumentList = { "test", "rules", Path.GetFileName(file) },
            WorkingDirectory = Path.GetDirectoryName(file),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("cannot start promtool");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
