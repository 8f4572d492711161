using System.Globalization;
using System.Net.Http.Headers;

namespace RelayExporter.Probing.Http;

/// <summary>What a response's headers say about limits: rate-limit headroom and when to come back.</summary>
public static class ResponseHints
{
    /// <summary>A hostile or broken upstream must not silence a target for days.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    /// <summary>The limits a label may name; other upstream-chosen names are ignored (label cardinality).</summary>
    private static readonly HashSet<string> KnownLimits = ["requests", "tokens", "input_tokens", "output_tokens"];

    /// <summary>
    /// Remaining requests/tokens from OpenAI-style <c>x-ratelimit-remaining-*</c> and Anthropic-style
    /// <c>anthropic-ratelimit-*-remaining</c> headers.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, double>> RateLimitRemaining(HttpResponseHeaders headers)
    {
        // Kept with the latest result of every series: an array (most responses carry none and share the empty one),
        // not a dictionary, which costs four times as much for the two or four limits a provider reports.
        List<KeyValuePair<string, double>>? remaining = null;
        foreach (var (name, values) in headers)
        {
            var lower = name.ToLowerInvariant();
            var limit = lower.StartsWith("x-ratelimit-remaining-", StringComparison.Ordinal) ? lower["x-ratelimit-remaining-".Length..]
                : lower.StartsWith("anthropic-ratelimit-", StringComparison.Ordinal) && lower.EndsWith("-remaining", StringComparison.Ordinal)
                    ? lower["anthropic-ratelimit-".Length..^"-remaining".Length]
                    : null;
            if (limit is null) continue;
            limit = limit.Replace('-', '_');
            if (KnownLimits.TryGetValue(limit, out var known) && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                remaining ??= [];
                // The known instance: it lives on as a label value. A repeated header keeps its last value.
                remaining.RemoveAll(l => ReferenceEquals(l.Key, known));
                remaining.Add(new(known, value));
            }
        }
        return remaining?.ToArray() ?? [];
    }

    /// <summary>How long the upstream asked us to wait: <c>retry-after-ms</c> when present, else <c>Retry-After</c>.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        TimeSpan? wait = null;
        if (response.Headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
            wait = TimeSpan.FromMilliseconds(milliseconds);
        else if (response.Headers.RetryAfter is { } retryAfter)
            wait = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - now : null);
        return wait is { } w ? TimeSpan.FromTicks(Math.Clamp(w.Ticks, 0, MaxRetryAfter.Ticks)) : null;
    }
}
