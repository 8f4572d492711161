namespace RelayExporter.Telemetry.Prometheus;

/// <summary>
/// Decides from <c>Accept-Encoding</c> whether to gzip: <c>gzip</c> (or <c>x-gzip</c>) with q &gt; 0, or <c>*</c>
/// with q &gt; 0 when gzip is not listed. Lenient: an unreadable element counts as not allowing gzip.
/// </summary>
internal static class GzipNegotiator
{
    public static bool AllowsGzip(string? acceptEncoding)
    {
        if (string.IsNullOrWhiteSpace(acceptEncoding))
        {
            return false;
        }

        double? gzip = null;
        double? wildcard = null;
        foreach (var element in acceptEncoding.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = element.Split(';', StringSplitOptions.TrimEntries);
            var quality = 1.0;
            foreach (var parameter in parts.Skip(1))
            {
                if (parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                    && !double.TryParse(parameter.AsSpan(2), System.Globalization.NumberStyles.AllowDecimalPoint,
                        System.Globalization.CultureInfo.InvariantCulture, out quality))
                {
                    quality = 0;
                }
            }

            if (parts[0].Equals("gzip", StringComparison.OrdinalIgnoreCase) || parts[0].Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
            {
                gzip = Math.Max(gzip ?? 0, quality);
            }
            else if (parts[0] == "*")
            {
                wildcard = quality;
            }
        }

        return (gzip ?? wildcard ?? 0) > 0;
    }
}
