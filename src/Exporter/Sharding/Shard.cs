using RelayExporter.Configuration;

namespace RelayExporter.Sharding;

/// <summary>
/// One replica's part of the fleet when <c>--shard.count</c> replicas split it: the targets whose rendezvous hash is
/// highest for this shard's index. Every target has exactly one owner, the same in every process (the hash is not the
/// per-process randomised string hash), and going from N to N+1 shards moves only the targets the new shard now wins,
/// about 1/(N+1) of them; the others stay where they were. A whole target goes to one shard, every check and model of
/// it, so its health, circuits and Retry-After pauses live in one process.
/// </summary>
public sealed record Shard(int Index, int Count)
{
    /// <summary>The whole fleet in one replica: no <c>--shard.count</c> given.</summary>
    public static Shard Whole { get; } = new(0, 1);

    public override string ToString() => $"{Index}/{Count}";

    public bool Owns(string targetName) => OwnerOf(targetName, Count) == Index;

    /// <summary>The index of the shard of <paramref name="count"/> that probes the target.</summary>
    public static int OwnerOf(string targetName, int count)
    {
        var name = NameHash(targetName);
        var (owner, best) = (0, 0UL);
        for (var shard = 0; shard < count; shard++)
        {
            var score = Mix(name + (ulong)shard * 0x9E3779B97F4A7C15UL);
            if (shard == 0 || score > best) (owner, best) = (shard, score);
        }
        return owner;
    }

    /// <summary>Keeps this shard's targets in a freshly loaded configuration (start-up and every reload).</summary>
    public ExporterOptions Select(ExporterOptions options)
    {
        options.Targets = options.Targets.Where(t => Owns(t.Name)).ToList();
        return options;
    }

    // FNV-1a over the name's UTF-16 code units.
    private static ulong NameHash(string name)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in name) hash = (hash ^ c) * 1099511628211UL;
        return hash;
    }

    // SplitMix64's finaliser: FNV alone leaves neighbouring inputs with neighbouring high bits.
    private static ulong Mix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
