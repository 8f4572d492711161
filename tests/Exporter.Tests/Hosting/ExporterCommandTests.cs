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
