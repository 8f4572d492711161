using RelayExporter.Hosting;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Hosting;

public class ExporterCommandTests
{
    private static readonly string TestData = Path.Combine(AppContext.BaseDirectory, "Configuration", "testdata");

    [Fact]
    public async Task Config_check_prints_ok_and_exits_zero_for_a_valid_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"relay-exporter-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(path, "targets:\n  - { name: a, protocol: openai, base_url: \"http://127.0.0.1:1\" }\n");

        var (code, stdout, stderr) = await RunAsync("--config.check", path);

        Assert.Equal((0, "ok\n", ""), (code, stdout, stderr));
    }

    [Fact]
    public async Task Config_check_prints_the_projected_daily_spend_of_the_paid_checks_against_the_budget()
    {
        var path = Path.Combine(Path.GetTempPath(), $"relay-exporter-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(path, """
            targets:
              - { name: a, protocol: openai, base_url: "http://127.0.0.1:1", models: [gpt-4.1, o3], checks: { chat: { interval: 1m } } }
            prices:
              gpt-4.1: { input: 2, output: 8 }
            """);

        var (code, stdout, stderr) = await RunAsync("--config.check", path);

        // 1440 probes a day × (29 prompt tokens × $2 + 5 max_tokens × $8) per million.
        Assert.Equal((0, "ok\npaid checks: at most $0.1411 a day from 1 priced series (upper bound: every probe billed its prompt and max_tokens), " +
            "no budget set; 1 paid series have no price and are not counted (a/chat/o3)\n", ""), (code, stdout, stderr));
    }

    [Fact]
    public async Task Config_check_lists_the_direct_pairs_it_made_and_the_relay_models_it_could_not_pair()
    {
        var path = Path.Combine(Path.GetTempPath(), $"relay-exporter-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(path, """
            targets:
              - { name: relay-a, kind: relay, protocol: openai, base_url: "http://127.0.0.1:1", models: [gpt-4.1, o3], checks: { stream: { interval: 1h } } }
              - { name: openai, protocol: openai, base_url: "http://127.0.0.1:2", models: [gpt-4.1], checks: { stream: { interval: 1h } } }
            """);

        var (code, stdout, stderr) = await RunAsync("--config.check", path);

        Assert.Equal((0, ""), (code, stderr));
        // After "ok" and the spend of the (unpriced) stream checks.
        Assert.StartsWith("ok\n", stdout);
        Assert.EndsWith("\ndirect pairs: relay-a gpt-4.1 -> openai (inferred)\n"
            + "not paired: relay-a o3: no provider target probes it with the same chat or stream check\n", stdout);
    }

    [Fact]
    public async Task Config_check_prints_every_problem_with_file_line_and_key_and_exits_non_zero()
    {
        var path = Path.Combine(TestData, "invalid-credential-in-url.yml");

        var (code, stdout, stderr) = await RunAsync("--config.check", path);

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal(
            [$"{path}:6: targets[0].base_url: must not contain a query string; use credential.env or credential.file for keys",
             $"{path}:6: targets[0].base_url: must not contain a user or password; use credential.env or credential.file"],
            stderr.TrimEnd('\n').Split('\n').Order());
        // The URL's password and key, outside the file's own path (a checkout path may contain any word).
        Assert.DoesNotContain("secret", stderr.Replace(path, ""));
        Assert.DoesNotContain("key=abc", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task Config_check_also_checks_the_web_configuration_with_its_certificate()
    {
        var config = Path.Combine(Path.GetTempPath(), $"relay-exporter-{Guid.NewGuid():N}.yml");
        var web = Path.Combine(Path.GetTempPath(), $"relay-exporter-web-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(config, "targets:\n  - { name: a, protocol: openai, base_url: \"http://127.0.0.1:1\" }\n");
        await File.WriteAllTextAsync(web, "tls_server_config:\n  cert_file: /nonexistent/cert.pem\n  key_file: /nonexistent/key.pem\nbasic_auth_users:\n  alice: hunter2\n");
        using var certificates = new TestCertificates(TimeSpan.FromDays(1));

        var broken = await RunAsync("--config.check", config, "--web.config.file", web);
        await File.WriteAllTextAsync(web, $"tls_server_config:\n  cert_file: {certificates.ServerPemFile}\n  key_file: {certificates.ServerKeyPemFile}\n");
        var valid = await RunAsync("--config.check", config, "--web.config.file", web);

        Assert.Equal((1, ""), (broken.Code, broken.Stdout));
        var problems = broken.Stderr.TrimEnd('\n').Split('\n').Order().ToList();
        Assert.Equal(2, problems.Count);
        Assert.StartsWith($"{web}:2: tls_server_config.cert_file: cannot load the certificate /nonexistent/cert.pem with the key /nonexistent/key.pem: ", problems[0]);
        Assert.StartsWith($"{web}:5: basic_auth_users.alice: is not a bcrypt hash", problems[1]);
        Assert.DoesNotContain("hunter2", broken.Stderr);
        Assert.Equal((0, "ok\n", ""), valid);
    }

    [Fact]
    public async Task Starting_with_an_invalid_config_names_the_problem_and_never_shows_a_stack_trace()
    {
        var path = Path.Combine(TestData, "invalid-yaml-syntax.yml");

        var (code, _, stderr) = await RunAsync("--config.file", path, "--web.listen-address", "127.0.0.1:0");

        Assert.Equal(1, code);
        Assert.Contains($"{path}:4: invalid YAML:", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Theory]
    [InlineData(new[] { "--bogus" }, "unknown flag --bogus")]
    [InlineData(new[] { "--config.file" }, "--config.file needs a value")]
    [InlineData(new[] { "--log.format", "xml" }, "--log.format \"xml\" must be console or json")]
    [InlineData(new[] { "--web.listen-address", "localhost" }, "--web.listen-address \"localhost\" is not HOST:PORT or :PORT")]
    [InlineData(new string[0], "no configuration: pass --config.file PATH or set RELAY_EXPORTER_CONFIG_FILE")]
    public async Task Bad_flags_are_named_and_exit_with_usage_error(string[] args, string message)
    {
        var (code, _, stderr) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public async Task A_mistyped_flag_is_reported_once_with_the_flag_it_likely_meant_and_its_value_is_not_taken_for_a_flag()
    {
        var (code, _, stderr) = await RunAsync("--config.fle", "x.yml");

        Assert.Equal(2, code);
        Assert.Equal(["relay-exporter: unknown flag --config.fle (did you mean --config.file?)"],
            stderr.Split('\n').Where(l => l.Contains("unknown") || l.Contains("x.yml")));
    }

    [Theory]
    [InlineData(new[] { "--web.listen-adress=:9477" }, "unknown flag --web.listen-adress (did you mean --web.listen-address?)")]
    [InlineData(new[] { "--verison" }, "unknown flag --verison (did you mean --version?)")]
    [InlineData(new[] { "--metrics.path", "/m" }, "unknown flag --metrics.path, see --help")]
    [InlineData(new[] { "x.yml" }, "unexpected argument x.yml: flags start with --, see --help")]
    public void Unknown_flags_and_stray_arguments_get_one_error_each(string[] args, string error)
    {
        var (result, errors) = CommandLine.Parse(args, _ => null);

        Assert.Null(result);
        Assert.Equal([error], errors);
    }

    [Fact]
    public void The_readme_flag_table_lists_every_flag_of_the_usage()
    {
        var flags = System.Text.RegularExpressions.Regex.Matches(CommandLine.Usage, @"^\s+(--[a-z.-]+)", System.Text.RegularExpressions.RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        var readme = File.ReadAllText(Path.Combine(RelayExporter.Tests.Infrastructure.RepositoryPaths.Root, "README.md"));

        Assert.Equal(10, flags.Count);
        Assert.All(flags, flag => Assert.Contains($"| `{flag}", readme));
    }

    [Fact]
    public async Task Version_names_the_build()
    {
        var (code, stdout, _) = await RunAsync("--version");

        Assert.Equal(0, code);
        Assert.Matches(@"^relay-exporter \d+\.\d+\.\d+ \(revision \S+, \.NET \d+", stdout);
    }

    [Theory]
    [InlineData(":9477", "http://*:9477")]
    [InlineData("0.0.0.0:80", "http://*:80")]
    [InlineData("127.0.0.1:0", "http://127.0.0.1:0")]
    [InlineData("9477", null)]
    [InlineData("host:notaport", null)]
    public void Listen_address_is_translated_for_kestrel(string address, string? url) => Assert.Equal(url, CommandLine.ListenUrl(address));

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var code = await ExporterCommand.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
