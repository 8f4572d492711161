using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace RelayExporter.Benchmarks.Infrastructure;

/// <summary><c>--name value</c> pairs after the subcommand; every benchmark has defaults for all of them.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = [];

    public Arguments(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
                throw new ArgumentException($"expected --name value pairs, got '{string.Join(' ', args)}'");
            _values[args[i][2..]] = args[i + 1];
        }
    }

    [SuppressMessage("Naming", "CA1720", Justification = "Each reader is named for the type it parses: args.String, args.Int.")]
    public string String(string name, string fallback)
    {
        _used.Add(name);
        return _values.GetValueOrDefault(name, fallback);
    }

    [SuppressMessage("Naming", "CA1720", Justification = "See String.")]
    public int Int(string name, int fallback) => int.Parse(String(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public int[] Ints(string name, string fallback) =>
        String(name, fallback).Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Call after reading every option: a misspelt option must not silently run the default.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Except(_used).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
    }
}
