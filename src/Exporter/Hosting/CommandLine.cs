using RelayExporter.Sharding;

namespace RelayExporter.Hosting;

public enum LogFormat { Console, Json }

/// <summary>The exporter's flags, named like Prometheus's own (<c>--config.file</c>, <c>--web.listen-address</c>).</summary>
public sealed record CommandLine
{
    public const string ConfigFileVariable = "RELAY_EXPORTER_CONFIG_FILE";
    public const string DefaultListenAddress = ":9477";

    public string? ConfigFile { get; init; }
    public string? ConfigCheck { get; init; }
    public string ListenAddress { get; init; } = DefaultListenAddress;
    public string? WebConfigFile { get; init; }
    public LogFormat LogFormat { get; init; } = LogFormat.Console;
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
    /// <summary>This replica's part of the fleet; null probes every target.</summary>
    public Shard? Shard { get; init; }
    public bool ShowHelp { get; init; }
    public bool ShowVersion { get; init; }

    public const string Usage = """
        Usage: relay-exporter [flags]
               relay-exporter healthcheck [--web.listen-address ADDR] [--web.config.file PATH]

          --config.file PATH          configuration file (or env RELAY_EXPORTER_CONFIG_FILE)
          --config.check PATH         validate a configuration file (and the --web.config.file, when given),
                                      print "ok" and the projected spend of the paid checks, or every problem, and exit
          --web.listen-address ADDR   address to serve /metrics and the API on (default :9477)
          --web.config.file PATH      TLS and basic auth for everything served (exporter-toolkit web config format)
          --shard.count N             replicas that split the fleet: this one probes only its share of the targets
          --shard.index I             this replica's shard, 0 to N-1 (with --shard.count)
          --log.format console|json   log line format (default console)
          --log.level LEVEL           debug, info, warn or error (default info)
          --version                   print the version and exit
          --help                      print this help and exit
        """;

    /// <summary>Parses flags as <c>--name value</c> or <c>--name=value</c>; every problem is listed.</summary>
    public static (CommandLine? Result, IReadOnlyList<string> Errors) Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var errors = new List<string>();
        int? shardIndex = null, shardCount = null;
        var result = new CommandLine { ConfigFile = environment(ConfigFileVariable) is { Length: > 0 } fromEnv ? fromEnv : null };
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], null);
            string? Value()
            {
                if (inlineValue is not null) return inlineValue;
                if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) return args[++i];
                errors.Add($"{name} needs a value");
                return null;
            }
            switch (name)
            {
                case "--config.file": result = result with { ConfigFile = Value() }; break;
                case "--config.check": result = result with { ConfigCheck = Value() }; break;
                case "--web.listen-address":
                    var address = Value();
                    if (address is not null && ListenUrl(address) is null) errors.Add($"--web.listen-address \"{address}\" is not HOST:PORT or :PORT");
                    else if (address is not null) result = result with { ListenAddress = address };
                    break;
                case "--web.config.file": result = result with { WebConfigFile = Value() }; break;
                case "--log.format":
                    var format = Value();
                    if (format is "console" or "json") result = result with { LogFormat = format == "json" ? LogFormat.Json : LogFormat.Console };
                    else if (format is not null) errors.Add($"--log.format \"{format}\" must be console or json");
                    break;
                case "--log.level":
                    var level = Value();
                    if (ParseLevel(level) is { } parsed) result = result with { LogLevel = parsed };
                    else if (level is not null) errors.Add($"--log.level \"{level}\" must be debug, info, warn or error");
                    break;
                case "--shard.index": shardIndex = Count(name, Value(), errors, minimum: 0); break;
                case "--shard.count": shardCount = Count(name, Value(), errors, minimum: 1); break;
                case "--help" or "-h": result = result with { ShowHelp = true }; break;
                case "--version": result = result with { ShowVersion = true }; break;
                case var other when !other.StartsWith('-'): errors.Add($"unexpected argument {other}: flags start with --, see --help"); break;
                default:
                    var nearest = Nearest(name);
                    errors.Add(nearest is null ? $"unknown flag {name}, see --help" : $"unknown flag {name} (did you mean {nearest}?)");
                    // Its value, if it was meant to have one, is not another unknown flag.
                    if (inlineValue is null && !FlagsWithoutValue.Contains(nearest) && i + 1 < args.Count && !args[i + 1].StartsWith('-')) i++;
                    break;
            }
        }
        if (shardIndex is not null && shardCount is null) errors.Add("--shard.index needs --shard.count");
        else if (shardCount is { } count)
        {
            if (shardIndex is null) errors.Add("--shard.count needs --shard.index");
            else if (shardIndex >= count) errors.Add($"--shard.index {shardIndex} must be below --shard.count {count}");
            else result = result with { Shard = new Shard(shardIndex.Value, count) };
        }
        return errors.Count > 0 ? (null, errors) : (result, errors);
    }

    private static readonly string[] Flags = ["--config.file", "--config.check", "--web.listen-address", "--web.config.file", "--shard.count", "--shard.index", "--log.format", "--log.level", "--version", "--help"];
    private static readonly string?[] FlagsWithoutValue = ["--version", "--help"];

    /// <summary>The flag a typo most likely meant: at most 3 edits away, and fewer edits than half its length.</summary>
    private static string? Nearest(string name) => Flags
        .Select(flag => (Flag: flag, Distance: EditDistance(name, flag)))
        .Where(c => c.Distance <= 3 && c.Distance * 2 < c.Flag.Length)
        .OrderBy(c => c.Distance).Select(c => c.Flag).FirstOrDefault();

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }

    private static int? Count(string name, string? value, List<string> errors, int minimum)
    {
        if (value is null) return null;
        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed >= minimum) return parsed;
        errors.Add($"{name} \"{value}\" must be a whole number, at least {minimum}");
        return null;
    }

    /// <summary><c>:9477</c> listens on every interface; <c>127.0.0.1:0</c> on loopback, on a port chosen by the system.</summary>
    public static string? ListenUrl(string address, string scheme = "http")
    {
        var colon = address.LastIndexOf(':');
        if (colon < 0 || !ushort.TryParse(address[(colon + 1)..], out var port)) return null;
        var host = address[..colon];
        return host.Length == 0 || host is "0.0.0.0" or "[::]" ? $"{scheme}://*:{port}" : $"{scheme}://{host}:{port}";
    }

    private static LogLevel? ParseLevel(string? level) => level switch
    {
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => null,
    };
}
