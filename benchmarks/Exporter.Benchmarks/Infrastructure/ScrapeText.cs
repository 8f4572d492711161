using System.Globalization;
using System.Text.RegularExpressions;

namespace RelayExporter.Benchmarks.Infrastructure;

/// <summary>The few reads of a Prometheus text scrape the benchmarks need: a family's sum, and a histogram's buckets.</summary>
public sealed partial class ScrapeText(string text)
{
    /// <summary>The sum of every sample named exactly <paramref name="name"/>, whatever its labels.</summary>
    public double Sum(string name) => Samples(name).Sum(s => s.Value);

    /// <summary>Cumulative bucket counts by upper bound (summed over label sets) of histogram <paramref name="name"/>.</summary>
    public SortedDictionary<double, double> Buckets(string name)
    {
        var buckets = new SortedDictionary<double, double>();
        foreach (var (labels, value) in Samples(name + "_bucket"))
        {
            var le = LeLabel().Match(labels).Groups[1].Value;
            var bound = le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
            buckets[bound] = buckets.GetValueOrDefault(bound) + value;
        }
        return buckets;
    }

    /// <summary>
    /// The quantile of the observations between two scrapes of a histogram, interpolated within its bucket as
    /// Prometheus's histogram_quantile does (so it is an estimate, bounded by the bucket it falls in).
    /// </summary>
    public static double Quantile(double q, SortedDictionary<double, double> before, SortedDictionary<double, double> after)
    {
        var bounds = after.Keys.ToList();
        var counts = bounds.Select(b => after[b] - before.GetValueOrDefault(b)).ToList();
        var rank = q * counts[^1];
        for (var i = 0; i < bounds.Count; i++)
        {
            if (counts[i] < rank) continue;
            if (double.IsPositiveInfinity(bounds[i])) return bounds[i - 1];
            var (lower, below) = i == 0 ? (0.0, 0.0) : (bounds[i - 1], counts[i - 1]);
            return lower + (bounds[i] - lower) * (rank - below) / (counts[i] - below);
        }
        return double.NaN;
    }

    private IEnumerable<(string Labels, double Value)> Samples(string name)
    {
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || line[name.Length] is not ('{' or ' ')) continue;
            var space = line.LastIndexOf(' ');
            yield return (line[name.Length..space], double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex("le=\"([^\"]+)\"")]
    private static partial Regex LeLabel();
}
