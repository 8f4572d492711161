using System.Globalization;
using System.Text.RegularExpressions;

namespace RelayExporter.Configuration;

/// <summary>Durations written the way Prometheus writes them: <c>1h30m</c>, <c>30s</c>, <c>250ms</c>.</summary>
public static partial class PrometheusDuration
{
    [GeneratedRegex(@"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")]
    private static partial Regex Pattern();

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var match = Pattern().Match(text.Trim());
        if (!match.Success || text.Trim().Length == 0) return false;
        long Part(int group) => match.Groups[group].Success ? long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
        try
        {
            duration = TimeSpan.FromDays(Part(1)) + TimeSpan.FromHours(Part(2)) + TimeSpan.FromMinutes(Part(3))
                + TimeSpan.FromSeconds(Part(4)) + TimeSpan.FromMilliseconds(Part(5));
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    public static string Format(TimeSpan duration) => duration switch
    {
        { TotalMilliseconds: < 1000 } => $"{duration.TotalMilliseconds:0}ms",
        { Milliseconds: not 0 } => $"{duration.TotalMilliseconds:0}ms",
        { TotalSeconds: < 60 } or { Seconds: not 0 } => $"{duration.TotalSeconds:0}s",
        { TotalMinutes: < 60 } or { Minutes: not 0 } => $"{duration.TotalMinutes:0}m",
        _ => $"{duration.TotalHours:0}h",
    };
}
