using System.Collections.Concurrent;

namespace RelayExporter.Probing;

/// <summary>
/// One shared instance of each recurring string that upstreams send (provider names, statuses): every relay's latest
/// health document is kept, and its provider names live on as label values, so thousands of relays reporting "openai"
/// keep one string, not thousands. Bounded, so an upstream inventing names cannot grow it without limit.
/// </summary>
internal static class SharedStrings
{
    private const int Capacity = 4096;
    private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);

    public static string Share(string value)
    {
        if (Pool.TryGetValue(value, out var shared)) return shared;
        return Pool.Count < Capacity ? Pool.GetOrAdd(value, value) : value;
    }
}
