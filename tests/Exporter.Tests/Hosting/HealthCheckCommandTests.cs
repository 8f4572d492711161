using Microsoft.AspNetCore.Http;
using RelayExporter.Hosting;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Hosting;

/// <summary><c>relay-exporter healthcheck</c>, the container's HEALTHCHECK, against real listeners.</summary>
public sealed class HealthCheckCommandTests : IDisposable
{
    private readonly TestCertificates _certificates = new(TimeSpan.FromDays(30));
    private readonly List<string> _files = [];

    [Fact]
    public async Task A_serving_exporter_is_healthy()
    {
        await using var exporter = await ExporterHost.StartAsync(TestConfigs.UnreachableTarget("offline"));

        var (code, stdout, stderr) = await RunAsync("healthcheck", "--web.listen-address", $"127.0.0.1:{exporter.BaseUrl.Port}");

        Assert.Equal((0, $"http://127.0.0.1:{exporter.BaseUrl.Port}/-/healthy: healthy\n", ""), (code, stdout, stderr));
    }

    [Fact]
    public async Task Nothing_listening_is_unhealthy_and_says_why()
    {
        var port = FreePort.Get();

        var (code, stdout, stderr) = await RunAsync("healthcheck", $"--web.listen-address=127.0.0.1:{port}");

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"relay-exporter healthcheck: http://127.0.0.1:{port}/-/healthy: ", stderr);
    }

    [Fact]
    public async Task A_listener_that_answers_an_error_is_unhealthy()
    {
        await using var server = await LoopbackServer.StartAsync(context =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        });

        var (code, _, stderr) = await RunAsync("healthcheck", "--web.listen-address", $"127.0.0.1:{server.Url.Port}");

        Assert.Equal(1, code);
        Assert.Contains("answered 503", stderr);
    }

    [Fact]
    public async Task Over_TLS_behind_basic_auth_the_exporter_is_found_with_its_own_web_configuration()
    {
        var webConfigPath = WriteFile($"""
            tls_server_config:
              cert_file: {_certificates.ServerPemFile}
              key_file: {_certificates.ServerKeyPemFile}
            basic_auth_users:
              prometheus: {BCrypt.Net.BCrypt.HashPassword("a password", 10)}
            """);
        await using var exporter = await ExporterHost.StartAsync(TestConfigs.UnreachableTarget("offline"), web: RelayExporter.Web.WebConfigLoader.Load(webConfigPath));
        var address = $"127.0.0.1:{exporter.BaseUrl.Port}";

        var (code, stdout, _) = await RunAsync("healthcheck", "--web.listen-address", address, "--web.config.file", webConfigPath);
        Assert.Equal((0, $"https://{address}/-/healthy: serving (behind basic auth)\n"), (code, stdout));

        // Without the web configuration it asks over plain HTTP, which a TLS listener refuses.
        (code, _, _) = await RunAsync("healthcheck", "--web.listen-address", address);
        Assert.Equal(1, code);
    }

    [Theory]
    [InlineData(new[] { "healthcheck", "--config.file", "x.yml" }, "unknown flag --config.file")]
    [InlineData(new[] { "healthcheck", "--web.listen-address" }, "--web.listen-address needs a value")]
    [InlineData(new[] { "healthcheck", "--web.listen-address", "9477" }, "--web.listen-address \"9477\" is not HOST:PORT or :PORT")]
    public async Task Bad_flags_are_named_and_exit_with_usage_error(string[] args, string message)
    {
        var (code, _, stderr) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }

    [Theory]
    [InlineData(":9477", "http://127.0.0.1:9477/-/healthy")]
    [InlineData("0.0.0.0:80", "http://127.0.0.1:80/-/healthy")]
    [InlineData("[::]:9477", "http://[::1]:9477/-/healthy")]
    [InlineData("10.1.2.3:9477", "http://10.1.2.3:9477/-/healthy")]
    public void A_wildcard_listen_address_is_asked_on_loopback(string address, string url) =>
        Assert.Equal(url, HealthCheckCommand.HealthUrl(address, "http"));

    private string WriteFile(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"relay-exporter-web-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, text);
        _files.Add(path);
        return path;
    }

    public void Dispose()
    {
        _certificates.Dispose();
        foreach (var file in _files) File.Delete(file);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var code = await ExporterCommand.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
