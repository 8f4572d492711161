using System.Collections.Concurrent;

namespace RelayExporter.Probing;

/// <summary>
/// One shared instance of each recurring string that upstreams send (provider names, statuses): every relay's latest
/// health document is kept, and its provider names live on as label values, so thousands of relays reporting "openai"
/// keep one string, not thousands. Bounded in count and in length, so an upstream inventing names cannot grow it
/// without limit: a string longer than a label value may be (<see cref="UpstreamValueRefusal.MaxLength"/>) is never
/// kept, or 4,096 names of up to a body's size each could hold gigabytes.
/// </summary>
internal static class SharedStrings
{
    private const int Capacity = 4096;
    private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);

    public static string Share(string value)
    {
        if (value.Length > UpstreamValueRefusal.MaxLength) return value;
        if (Pool.TryGetValue(value, out var shared)) return shared;
        return Pool.Count < Capacity ? Pool.GetOrAdd(value, value) : value;
    }
}
