using System.Globalization;
using System.Text;

namespace RelayExporter.Tests.Infrastructure;

/// <summary>The samples of one Prometheus text or OpenMetrics exposition, for assertions.</summary>
public sealed class ScrapedMetrics(IReadOnlyList<ScrapedSample> samples)
{
    public IReadOnlyList<ScrapedSample> Samples { get; } = samples;

    public static async Task<ScrapedMetrics> ScrapeAsync(HttpClient client, string path = "/metrics") =>
        Parse(await client.GetStringAsync(path));

    public IEnumerable<ScrapedSample> Named(string name) => Samples.Where(s => s.Name == name);

    /// <summary>The one sample with this name whose labels include all of <paramref name="labels"/>, or null.</summary>
    public ScrapedSample? Find(string name, params (string Name, string Value)[] labels) =>
        Named(name).SingleOrDefault(s => labels.All(l => s.Labels.GetValueOrDefault(l.Name) == l.Value));

    public static ScrapedMetrics Parse(string exposition) =>
        new(exposition.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(ParseLine).ToList());

    private static ScrapedSample ParseLine(string line)
    {
        var labels = new Dictionary<string, string>();
        var brace = line.IndexOf('{');
        var space = line.IndexOf(' ');
        if (brace < 0 || brace > space) return new ScrapedSample(line[..space], labels, ParseValue(line[(space + 1)..]));

        var name = line[..brace];
        var i = brace + 1;
        while (line[i] != '}')
        {
            var equals = line.IndexOf('=', i);
            var labelName = line[i..equals].TrimStart(',');
            var value = new StringBuilder();
            for (i = equals + 2; line[i] != '"'; i++)
            {
                if (line[i] == '\\') value.Append(line[++i] switch { 'n' => '\n', var c => c });
                else value.Append(line[i]);
            }
            labels[labelName] = value.ToString();
            i++;
            if (line[i] == ',') i++;
        }
        return new ScrapedSample(name, labels, ParseValue(line[(i + 2)..]));
    }

    private static double ParseValue(string text) => PrometheusQuery.ParseNumber(text.Split(' ')[0]);
}

public sealed record ScrapedSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
