namespace RelayExporter.Telemetry.Prometheus;

/// <summary>
/// Chooses the exposition format from an <c>Accept</c> header. OpenMetrics 1.0.0 is served when
/// <c>application/openmetrics-text</c> (version 1.0.0, 0.0.1 or none) is acceptable with a higher quality than text
/// 0.0.4, or with equal quality when it is named explicitly; otherwise text 0.0.4 (also with no Accept header, or when
/// neither is acceptable: Prometheus clients expect text as the fallback).
/// </summary>
internal static class PrometheusContentNegotiator
{
    public static bool TryNegotiate(string? accept, out PrometheusFormat format, out string? error)
    {
        format = PrometheusFormat.Text004;
        error = null;
        if (string.IsNullOrWhiteSpace(accept))
        {
            return true;
        }

        if (!AcceptHeaderParser.TryParse(accept, out var ranges, out var parseError))
        {
            error = $"Malformed Accept header: {parseError}.";
            return false;
        }

        var openMetrics = Best(ranges, MatchesOpenMetrics);
        var text = Best(ranges, MatchesText);
        if (openMetrics.Quality > 0
            && (openMetrics.Quality > text.Quality || (openMetrics.Quality == text.Quality && openMetrics.Specificity >= 2)))
        {
            format = PrometheusFormat.OpenMetrics100;
        }

        return true;
    }

    /// <summary>Specificity of the match (-1 none, 0 */*, 1 type/*, 2 type/subtype, 3 with version).</summary>
    private static int MatchesOpenMetrics(MediaRange range) => Match(range, "application", "openmetrics-text", ["1.0.0", "0.0.1"]);

    private static int MatchesText(MediaRange range) => Match(range, "text", "plain", ["0.0.4"]);

    private static int Match(MediaRange range, string type, string subtype, string[] versions)
    {
        if (range.Type == "*")
        {
            return 0;
        }

        if (range.Type != type)
        {
            return -1;
        }

        if (range.Subtype == "*")
        {
            return 1;
        }

        if (range.Subtype != subtype)
        {
            return -1;
        }

        if (!range.Parameters.TryGetValue("version", out var version))
        {
            return 2;
        }

        return versions.Contains(version) ? 3 : -1;
    }

    /// <summary>The quality of the most specific matching range (RFC 9110 §12.5.1).</summary>
    private static (double Quality, int Specificity) Best(List<MediaRange> ranges, Func<MediaRange, int> match)
    {
        var best = (Quality: 0.0, Specificity: -1);
        foreach (var range in ranges)
        {
            var specificity = match(range);
            if (specificity > best.Specificity)
            {
                best = (range.Quality, specificity);
            }
        }

        return best;
    }
}
