namespace RelayExporter.Benchmarks.Infrastructure;

public static class Stats
{
    /// <summary>Nearest-rank percentile (0–100) of the values.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double percentile)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IReadOnlyCollection<double> values) => Percentile(values, 50);

    /// <summary>"median (min–max)" of repeated measurements.</summary>
    public static string Summary(IReadOnlyCollection<double> values, string format) =>
        $"{Median(values).ToString(format)} ({values.Min().ToString(format)}–{values.Max().ToString(format)})";
}
