using System.Text.Json;
using System.Text.RegularExpressions;
using RelayExporter.AlertScenarios;
using RelayExporter.Observability.Tests.Infrastructure;

namespace RelayExporter.Observability.Tests;

/// <summary>
/// The recorded alerting scenarios (alerting-rules/scenarios/, recorded by tools/AlertScenarios from the real exporter against
/// the simulator): the rules fire what the generated promtool tests pin, in promtool time, and the recordings still match
/// what the exporter emits.
/// </summary>
public sealed partial class AlertScenarioTests
{
    private static readonly string ScenarioTestFile = RepositoryPaths.File("alerting-rules", "tests", "scenarios.test.yml");
    private static readonly string FixtureDirectory = RepositoryPaths.File("alerting-rules", "scenarios");

    /// <summary>Long enough for every scenario's faults to show (paid checks every 5 s here) on a loaded machine.</summary>
    private static readonly TimeSpan DriftDeadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Promtool_runs_every_recorded_scenario()
    {
        var result = await ProcessRunner.RunAsync(ExternalTool.Locate("promtool"), ["test", "rules", ScenarioTestFile], TimeSpan.FromMinutes(10),
            workingDirectory: Path.GetDirectoryName(ScenarioTestFile));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS", result.StandardOutput);
    }

    [Fact]
    public void Every_recorded_scenario_has_a_fixture_and_a_promtool_test()
    {
        var tests = Yaml.Load(ScenarioTestFile).Get("tests").Items().Select(t => t.Str("name")).ToHashSet();
        foreach (var scenario in Scenarios.All)
        {
            Assert.True(File.Exists(Path.Combine(FixtureDirectory, Fixture.FileName(scenario.Name))), $"no fixture for {scenario.Name}");
            Assert.Contains(scenario.Name, tests);
        }

        Assert.Contains(Scenarios.ExporterDown.Name, tests);
    }

    /// <summary>
    /// Drift guard: every series name and label set in the fixtures is one the exporter emits now, for the same scenarios
    /// (paid checks every 5 s instead of 5 minutes, which changes no name or label). When this fails, re-record:
    /// <c>dotnet run --project tools/AlertScenarios -c Release -- record</c>.
    /// </summary>
    [Fact]
    public async Task Every_fixture_series_is_one_the_exporter_still_emits()
    {
        var recorded = Directory.GetFiles(FixtureDirectory, "*.json")
            .SelectMany(f => Fixture.Load(f).Series.Where(s => s.Name != "up").Select(s => (File: Path.GetFileName(f), Shape: Shape(s.Labels))))
            .ToList();
        Assert.NotEmpty(recorded);
        var wanted = recorded.Select(r => r.Shape).ToHashSet();

        await using var rig = await Rig.StartAsync(Scenarios.All, ExporterBinary, paidChecks: "{ interval: 5s, timeout: 4s }");
        foreach (var scenario in rig.Scenarios) await scenario.Inject(rig.Faults(scenario.Name));
        var emitted = new HashSet<string>();
        var deadline = DateTime.UtcNow + DriftDeadline;
        while (DateTime.UtcNow < deadline && !wanted.IsSubsetOf(emitted))
        {
            foreach (var line in (await rig.ScrapeAsync()).Split('\n')) if (SeriesShape(line) is { } shape) emitted.Add(shape);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        var gone = recorded.Where(r => !emitted.Contains(r.Shape)).Select(r => $"{r.File}: {r.Shape}").Distinct().ToList();
        Assert.True(gone.Count == 0,
            "fixture series the exporter no longer emits (re-record: dotnet run --project tools/AlertScenarios -c Release -- record):\n"
            + string.Join("\n", gone));
    }

    /// <summary>A series' name and label names (not values; job and instance are Prometheus's).</summary>
    private static string Shape(IReadOnlyDictionary<string, string> labels) =>
        labels["__name__"] + "{" + string.Join(",", labels.Keys.Where(k => k is not ("__name__" or "job" or "instance")).Order(StringComparer.Ordinal)) + "}";

    private static string? SeriesShape(string line)
    {
        var match = ExpositionLine().Match(line);
        if (!match.Success) return null;
        var labels = LabelName().Matches(match.Groups[2].Value).Select(m => m.Groups[1].Value).ToDictionary(n => n, _ => "");
        labels["__name__"] = match.Groups[1].Value;
        return Shape(labels);
    }

    private static string ExporterBinary =>
        RepositoryPaths.File("src", "Exporter", "bin", BuildConfiguration, "net10.0", "relay-exporter");

    private static string BuildConfiguration =>
        typeof(AlertScenarioTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Debug";

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+")]
    private static partial Regex ExpositionLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""(?:[^""\\]|\\.)*""")]
    private static partial Regex LabelName();
}
