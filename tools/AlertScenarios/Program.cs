using RelayExporter.AlertScenarios;

// alert-scenarios record [--baseline 5m] [--fault-phase 15m] [--only a,b] [--exporter-bin PATH]
//     records every scenario against the real exporter and simulator, writes alerting-rules/scenarios/*.json, then generates
// alert-scenarios generate
//     writes alerting-rules/tests/scenarios.test.yml from the fixtures (and measures when each expected alert fires)
const string Usage = "usage: alert-scenarios record [--baseline 5m] [--fault-phase 15m] [--only NAME,...] [--exporter-bin PATH] | generate";
var root = RepositoryRoot();
var fixtures = Path.Combine(root, "alerting-rules", "scenarios");
try
{
    switch (args.FirstOrDefault())
    {
        case "record":
            var options = ParseRecordOptions(args[1..], root, out var only);
            var scenarios = Scenarios.All.Where(s => only is null || only.Contains(s.Name)).ToList();
            Directory.CreateDirectory(fixtures);
            foreach (var fixture in await new Recorder(options).RecordAsync(scenarios))
            {
                fixture.Save(Path.Combine(fixtures, Fixture.FileName(fixture.Scenario)));
                Console.Error.WriteLine($"wrote {Fixture.FileName(fixture.Scenario)}: {fixture.Series.Count} series, {fixture.Steps} scrapes");
            }

            return await Generator.RunAsync(root);
        case "generate":
            return await Generator.RunAsync(root);
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }
}
catch (FormatException e)
{
    Console.Error.WriteLine($"alert-scenarios: {e.Message}\n{Usage}");
    return 2;
}

static RecordOptions ParseRecordOptions(string[] args, string root, out HashSet<string>? only)
{
    var exporter = Path.Combine(root, "src", "Exporter", "bin", "Release", "net10.0", "relay-exporter");
    TimeSpan baseline = TimeSpan.FromMinutes(5), faultPhase = TimeSpan.FromMinutes(15);
    only = null;
    for (var i = 0; i < args.Length; i += 2)
    {
        if (i + 1 >= args.Length) throw new FormatException($"{args[i]} needs a value");
        var value = args[i + 1];
        switch (args[i])
        {
            case "--baseline": baseline = Duration(value); break;
            case "--fault-phase": faultPhase = Duration(value); break;
            case "--exporter-bin": exporter = value; break;
            case "--only":
                only = value.Split(',').ToHashSet();
                var unknown = only.Except(Scenarios.All.Select(s => s.Name)).ToList();
                if (unknown.Count > 0) throw new FormatException($"unknown scenario(s) {string.Join(", ", unknown)}");
                break;
            default: throw new FormatException($"unknown option '{args[i]}'");
        }
    }

    if (!File.Exists(exporter)) throw new FormatException($"no exporter binary at {exporter}: build Exporter.sln -c Release first");
    return new RecordOptions(exporter, baseline, faultPhase);
}

static TimeSpan Duration(string text)
{
    if (text.Length > 1 && int.TryParse(text[..^1], out var n) && n > 0)
    {
        switch (text[^1])
        {
            case 's': return TimeSpan.FromSeconds(n);
            case 'm': return TimeSpan.FromMinutes(n);
        }
    }

    throw new FormatException($"'{text}' is not a duration such as 90s or 3m");
}

static string RepositoryRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Exporter.sln"))) return directory.FullName;
    }

    throw new InvalidOperationException("run alert-scenarios from within the repository (Exporter.sln not found above it)");
}
