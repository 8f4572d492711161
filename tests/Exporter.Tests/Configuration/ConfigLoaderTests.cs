using RelayExporter.Configuration;
using RelayExporter.Spending;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Configuration;

[Collection(ProcessEnvironmentCollection.Name)]
public class ConfigLoaderTests
{
    private static readonly string TestData = Path.Combine(AppContext.BaseDirectory, "Configuration", "testdata");

    public static TheoryData<string> InvalidFixtures() =>
        new(Directory.GetFiles(TestData, "invalid-*.yml").Select(Path.GetFileName).Order()!);

    /// <summary>Each fixture states, in its "# expect:" lines, exactly the problems it must produce.</summary>
    [Theory]
    [MemberData(nameof(InvalidFixtures))]
    public void Invalid_config_reports_exactly_the_expected_problems(string fixture)
    {
        var path = Path.Combine(TestData, fixture);
        var expected = File.ReadLines(path)
            .Where(l => l.StartsWith("# expect: ", StringComparison.Ordinal))
            .Select(l => l["# expect: ".Length..])
            .ToList();
        Assert.NotEmpty(expected);

        // Loaded as the exporter loads it: with the spend projection's check of the budget.
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, SpendProjection.CheckBudget));

        var actual = error.Problems.Select(p => $"{p.Line}: {p.KeyPath}: {p.Reason}").ToList();
        Assert.Equal(expected.Order(), actual.Order());
        Assert.All(error.Problems, p => Assert.Equal(path, p.Source));
    }

    [Fact]
    public void Problem_names_file_line_key_and_reason()
    {
        var path = Path.Combine(TestData, "invalid-missing-base-url.yml");

        var problem = Assert.Single(Assert.Throws<ConfigException>(() => ConfigLoader.Load(path)).Problems);

        Assert.Equal($"{path}:3: targets[0].base_url: is required", problem.ToString());
    }

    [Fact]
    public void Every_problem_is_reported_not_just_the_first()
    {
        var path = WriteTemp("""
            targets:
              - name: a
                protocol: openai
                base_url: nope
                models: [x]
                checks: { models: { interval: soon } }
              - name: a
                protocol: klingon
                base_url: http://127.0.0.1:1
            health: { successes_to_recover: 0 }
            """);

        var problems = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path)).Problems;

        Assert.Equal(5, problems.Count);
        Assert.Equal(problems.OrderBy(p => p.Line).Select(p => p.Line), problems.Select(p => p.Line));
    }

    [Fact]
    public void Example_configuration_in_the_repository_is_valid_when_its_credentials_exist()
    {
        var keyFile = WriteTemp("sk-ant-example");
        var variables = new[] { "RELAY_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "DEEPSEEK_API_KEY", "RELAY_EXPORTER_ADMIN_TOKEN" };
        using var environment = new EnvironmentScope(variables.ToDictionary(v => v, _ => "example-secret")
            .Append(new("RELAY_EXPORTER__targets__2__credential__file", keyFile)));

        var options = ConfigLoader.Load(RepositoryPaths.File("examples", "relay-exporter.yml"));

        Assert.Equal(["relay-prod", "openai", "anthropic", "gemini", "deepseek"], options.Targets.Select(t => t.Name));
        Assert.Equal(keyFile, options.Targets[2].Credential!.File);
        Assert.Equal(TimeSpan.FromMinutes(5), options.EffectiveCheck(options.Targets[0], CheckKinds.Chat.Name).Interval);
        Assert.Equal(["claude-sonnet-4.5", "gemini-2.5-flash", "deepseek-v3.2"], options.Fallbacks["gpt-4.1"]);
    }

    [Fact]
    public void Demo_configuration_for_the_simulator_is_valid()
    {
        using var environment = new EnvironmentScope([new("SIMULATOR_API_KEY", "demo")]);

        var options = ConfigLoader.Load(RepositoryPaths.File("examples", "simulator.yml"));

        Assert.Contains(options.Targets, t => t.Kind == TargetKind.Relay && t.Protocol == ProtocolKind.Openai);
        Assert.Contains(options.Targets, t => t.Protocol == ProtocolKind.Anthropic);
        Assert.Contains(options.Targets, t => t.Protocol == ProtocolKind.Gemini);
    }

    private static IEnumerable<string> TargetExampleFiles() =>
        Directory.GetFiles(RepositoryPaths.File("examples", "targets"), "*.yml").Select(f => Path.GetFileName(f)).Order();

    public static TheoryData<string> TargetExamples() => new(TargetExampleFiles());

    [Fact]
    public void There_is_an_example_for_every_real_target_kind()
    {
        Assert.Equal(
            ["anthropic.yml", "azure-openai.yml", "cloudflare-ai-gateway.yml", "deepseek.yml", "gemini.yml", "helicone.yml",
             "litellm.yml", "openai.yml", "openrouter.yml", "portkey.yml"],
            TargetExampleFiles());
    }

    /// <summary>Each example passes --config.check once the secrets it names exist (in this class: its tests share variables).</summary>
    [Theory]
    [MemberData(nameof(TargetExamples))]
    public async Task Target_example_passes_config_check(string example)
    {
        var path = Path.Combine(RepositoryPaths.File("examples", "targets"), example);
        var variables = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(path), @"env: ([A-Z0-9_]+)").Select(m => m.Groups[1].Value).Distinct();
        using var environment = new EnvironmentScope(variables.Select(v => new KeyValuePair<string, string>(v, "example-secret")));
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };

        var code = await RelayExporter.Hosting.ExporterCommand.RunAsync(["--config.check", path], stdout, stderr);

        Assert.Equal((0, "ok", ""), (code, stdout.ToString().Split('\n')[0], stderr.ToString()));
    }

    [Fact]
    public void Check_settings_fall_back_from_target_to_defaults_to_built_in()
    {
        var path = WriteTemp("""
            defaults:
              checks:
                models: { timeout: 3s }
            targets:
              - name: relay
                kind: relay
                protocol: openai
                base_url: http://127.0.0.1:1
                checks:
                  models: { interval: 20s }
                  health: {}
            """);

        var options = ConfigLoader.Load(path);
        var models = options.EffectiveCheck(options.Targets[0], CheckKinds.Models.Name);
        var health = options.EffectiveCheck(options.Targets[0], CheckKinds.Health.Name);

        Assert.Equal((TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(3)), (models.Interval!.Value, models.Timeout!.Value));
        Assert.Equal("/health", health.Path);
        Assert.Equal(CheckKinds.Health.Defaults.Interval, health.Interval);
    }

    [Fact]
    public void Relay_without_checks_runs_health_and_models_and_provider_runs_models()
    {
        var path = WriteTemp("""
            targets:
              - { name: r, kind: relay, protocol: openai, base_url: "http://127.0.0.1:1" }
              - { name: p, protocol: anthropic, base_url: "http://127.0.0.1:2" }
            """);

        var options = ConfigLoader.Load(path);

        Assert.Equal([CheckKinds.Health.Name, CheckKinds.Models.Name], options.Targets[0].EffectiveChecks.Keys.Order());
        Assert.Equal([CheckKinds.Models.Name], options.Targets[1].EffectiveChecks.Keys);
    }

    [Fact]
    public void Credential_is_read_from_file_and_never_printed()
    {
        var keyFile = WriteTemp("sk-live-123456\n");
        var credential = new CredentialOptions { File = keyFile };
        var problems = new ConfigProblems("test.yml", new Dictionary<string, int>());

        credential.Validate("credential", problems);
        var secret = credential.Value!;

        Assert.False(problems.Any);
        Assert.Equal("sk-live-123456", secret.Reveal());
        Assert.DoesNotContain("sk-live", secret.ToString());
        Assert.DoesNotContain("sk-live", $"{secret}");
    }

    [Fact]
    public void A_rotated_credential_file_is_picked_up_by_the_next_load()
    {
        var keyFile = WriteTemp("sk-old");
        var path = WriteTemp($$"""
            targets:
              - { name: p, protocol: openai, base_url: "http://127.0.0.1:1", credential: { file: "{{keyFile}}" } }
            """);
        var loaded = ConfigLoader.Load(path);

        File.WriteAllText(keyFile, "sk-new");

        Assert.Equal("sk-old", loaded.Targets[0].Credential!.Value!.Reveal());
        Assert.Equal("sk-new", ConfigLoader.Load(path).Targets[0].Credential!.Value!.Reveal());
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1d", 86_400_000)]
    public void Prometheus_durations_are_understood(string text, long milliseconds)
    {
        Assert.True(PrometheusDuration.TryParse(text, out var duration));
        Assert.Equal(milliseconds, (long)duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("5 m")]
    [InlineData("-5s")]
    [InlineData("1m1h")]
    public void Malformed_durations_are_refused(string text) => Assert.False(PrometheusDuration.TryParse(text, out _));

    private static string WriteTemp(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"relay-exporter-test-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, content);
        return path;
    }
}
