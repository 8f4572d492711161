using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Http;
using RelayExporter.Configuration;
using RelayExporter.Tests.Infrastructure;
using RelayExporter.Web;

namespace RelayExporter.Tests.Web;

/// <summary>The web configuration file: TLS and basic auth in front of everything the exporter serves.</summary>
[Collection(ExporterHostCollection.Name)]
public sealed class WebSecurityTests : IDisposable
{
    private const string User = "prometheus";
    private const string Password = "correct horse battery staple";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly TestCertificates _certificates = new(TimeSpan.FromDays(30));
    private readonly List<string> _files = [];

    [Fact]
    public async Task Over_TLS_only_the_configured_user_gets_in_and_a_real_Prometheus_scrapes_through_both()
    {
        var web = WebConfigLoader.Load(WriteFile($"""
            tls_server_config:
              cert_file: {_certificates.ServerPemFile}
              key_file: {_certificates.ServerKeyPemFile}
            basic_auth_users:
              {User}: {BCrypt.Net.BCrypt.HashPassword(Password, 10)}
            """));
        await using var exporter = await ExporterHost.StartAsync(TestConfigs.UnreachableTarget("offline"), web: web);
        Assert.Equal("https", exporter.BaseUrl.Scheme);
        using var client = TrustingClient(exporter.BaseUrl);

        using var anonymous = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.StartsWith("Basic realm=", anonymous.Headers.WwwAuthenticate.ToString());
        using var wrong = await client.SendAsync(Get("/metrics", User, "wrong password"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var unknown = await client.SendAsync(Get("/metrics", "someone", Password));
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        using var right = await client.SendAsync(Get("/metrics", User, Password));
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("relay_exporter_build_info", await right.Content.ReadAsStringAsync());
        // Every path, as exporter-toolkit protects them: the API, the page and the health endpoint too.
        foreach (var path in new[] { "/api/v1/targets", "/", "/-/healthy", "/probe?target=offline&check=models" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{path}: {response.StatusCode}");
        }

        // Plain HTTP on the TLS port is refused.
        using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync(new UriBuilder(exporter.BaseUrl) { Scheme = "http", Path = "/metrics" }.Uri));

        await using var prometheus = await PrometheusServer.StartAsync(
            [new ScrapeTarget("relay", $"127.0.0.1:{exporter.BaseUrl.Port}") { TlsCaFile = _certificates.AuthorityPemFile, BasicAuth = (User, Password) }]);
        await prometheus.WaitUntilAsync("relay_exporter_build_info", result => result.Count == 1, Deadline);
        var up = await prometheus.QueryAsync("up{job=\"relay\"}");
        Assert.Equal(1, up.Single().Value);
    }

    [Fact]
    public async Task Behind_basic_auth_admin_calls_carry_the_admin_token_in_its_own_header()
    {
        var web = WebConfigLoader.Load(WriteFile($"""
            basic_auth_users:
              {User}: {BCrypt.Net.BCrypt.HashPassword(Password, 10)}
            """));
        var adminToken = "admin-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        using var env = new EnvironmentScope([new("WEB_SECURITY_ADMIN_TOKEN", adminToken)]);
        await using var exporter = await ExporterHost.StartAsync(TestConfigs.UnreachableTarget("offline") + """

            admin: { token: { env: WEB_SECURITY_ADMIN_TOKEN } }
            """, web: web);
        using var client = new HttpClient { BaseAddress = exporter.BaseUrl };

        HttpRequestMessage Reload(string? token)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/-/reload") { Headers = { Authorization = Get("/", User, Password).Headers.Authorization } };
            if (token is not null) request.Headers.Add("X-Admin-Token", token);
            return request;
        }

        using var withoutToken = await client.SendAsync(Reload(null));
        Assert.Equal(HttpStatusCode.Unauthorized, withoutToken.StatusCode);
        Assert.StartsWith("Bearer", withoutToken.Headers.WwwAuthenticate.ToString()); // past basic auth, refused by the admin check
        using var wrongToken = await client.SendAsync(Reload(adminToken + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);
        using var rightToken = await client.SendAsync(Reload(adminToken));
        Assert.Equal(HttpStatusCode.OK, rightToken.StatusCode);
        Assert.Contains("reloaded", await rightToken.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task With_RequireAndVerifyClientCert_only_clients_with_a_certificate_of_the_client_authority_get_in()
    {
        var web = WebConfigLoader.Load(WriteFile($"""
            tls_server_config:
              cert_file: {_certificates.ServerPemFile}
              key_file: {_certificates.ServerKeyPemFile}
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: {_certificates.AuthorityPemFile}
            """));
        await using var exporter = await ExporterHost.StartAsync(TestConfigs.UnreachableTarget("offline"), web: web);
        using var stranger = new TestCertificates(TimeSpan.FromDays(1));

        using var signed = ClientCertificate(_certificates.Authority);
        using var withCertificate = TrustingClient(exporter.BaseUrl, signed);
        Assert.Equal(HttpStatusCode.OK, (await withCertificate.GetAsync("/-/healthy")).StatusCode);

        using var withoutCertificate = TrustingClient(exporter.BaseUrl);
        await Assert.ThrowsAsync<HttpRequestException>(() => withoutCertificate.GetAsync("/-/healthy"));
        using var foreign = ClientCertificate(stranger.Authority);
        using var withForeignCertificate = TrustingClient(exporter.BaseUrl, foreign);
        await Assert.ThrowsAsync<HttpRequestException>(() => withForeignCertificate.GetAsync("/-/healthy"));
    }

    [Fact]
    public async Task A_verified_password_is_remembered_so_scrapes_do_not_pay_bcrypt_each_time()
    {
        // Cost 12: a few hundred milliseconds per verification, far above a request's own cost.
        var authentication = new BasicAuthentication(new Dictionary<string, string> { [User] = BCrypt.Net.BCrypt.HashPassword(Password, 12) });

        var first = TimeProvider.System.GetTimestamp();
        Assert.Equal(StatusCodes.Status200OK, await StatusOf(authentication, User, Password));
        var bcrypt = TimeProvider.System.GetElapsedTime(first);

        var again = TimeProvider.System.GetTimestamp();
        for (var i = 0; i < 20; i++) Assert.Equal(StatusCodes.Status200OK, await StatusOf(authentication, User, Password));
        var twentyMore = TimeProvider.System.GetElapsedTime(again);

        Assert.True(twentyMore < bcrypt, $"20 remembered verifications took {twentyMore.TotalMilliseconds:0} ms, one bcrypt {bcrypt.TotalMilliseconds:0} ms");
        // What is remembered is that password: another one still fails.
        Assert.Equal(StatusCodes.Status401Unauthorized, await StatusOf(authentication, User, Password + "!"));
        Assert.Equal(StatusCodes.Status200OK, await StatusOf(authentication, User, Password));
    }

    [Fact]
    public void Every_problem_of_a_web_configuration_is_named_with_file_line_and_key()
    {
        var path = WriteFile("""
            tls_server_config:
              cert_file: /nonexistent/cert.pem
              key_file: /nonexistent/key.pem
              client_auth_type: RequireAndVerifyClientCert
              min_version: TLS11
            basic_auth_users:
              alice: not-a-hash
            http_server_config: { http2: false }
            """);

        var problems = Assert.Throws<ConfigException>(() => WebConfigLoader.Load(path)).Problems.Select(p => p.ToString()).ToList();

        Assert.Collection(problems.Order(),
            p => Assert.StartsWith($"{path}:2: tls_server_config.cert_file: cannot load the certificate /nonexistent/cert.pem with the key /nonexistent/key.pem: ", p),
            p => Assert.Equal($"{path}:4: tls_server_config.client_auth_type: RequireAndVerifyClientCert needs client_ca_file, the authorities that sign client certificates", p),
            p => Assert.Equal($"{path}:5: tls_server_config.min_version: \"TLS11\" is not one of: TLS12, TLS13 (TLS 1.0 and 1.1 are not offered)", p),
            p => Assert.StartsWith($"{path}:7: basic_auth_users.alice: is not a bcrypt hash", p),
            p => Assert.Equal($"{path}:8: http_server_config: unknown key; expected one of: basic_auth_users, tls_server_config", p));
        Assert.DoesNotContain(problems, p => p.Contains("not-a-hash"));
    }

    [Fact]
    public void The_example_web_configuration_is_valid_but_for_its_certificate_paths()
    {
        var path = RepositoryPaths.File("examples", "web-config.yml");

        var problems = Assert.Throws<ConfigException>(() => WebConfigLoader.Load(path)).Problems;

        Assert.Equal("tls_server_config.cert_file", Assert.Single(problems).KeyPath);
    }

    [Fact]
    public async Task Starting_with_an_invalid_web_configuration_names_the_problem_and_exits_1()
    {
        var config = WriteFile(TestConfigs.UnreachableTarget("offline"));
        var web = WriteFile("basic_auth_users:\n  alice: secret\n");
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };

        var code = await RelayExporter.Hosting.ExporterCommand.RunAsync(
            ["--config.file", config, "--web.config.file", web, "--web.listen-address", "127.0.0.1:0"], stdout, stderr);

        Assert.Equal(1, code);
        Assert.StartsWith($"relay-exporter: web configuration {web} is invalid:\n  {web}:2: basic_auth_users.alice: is not a bcrypt hash", stderr.ToString());
        Assert.DoesNotContain("secret", stderr.ToString());
    }

    private static async Task<int> StatusOf(BasicAuthentication authentication, string user, string password)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        context.Response.Body = Stream.Null;
        await authentication.InvokeAsync(context, _ => Task.CompletedTask);
        return context.Response.StatusCode;
    }

    private static HttpRequestMessage Get(string path, string user, string password) => new(HttpMethod.Get, path)
    {
        Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))) },
    };

    private HttpClient TrustingClient(Uri baseUrl, X509Certificate2? clientCertificate = null) => new(new SocketsHttpHandler
    {
        SslOptions =
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) => _certificates.IssuedByAuthority(certificate as X509Certificate2),
            ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
        },
    }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A client certificate that <paramref name="authority"/> signed.</summary>
    private static X509Certificate2 ClientCertificate(X509Certificate2 authority)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=scraper", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var signed = request.Create(authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), [5, 6, 7, 8]);
        return X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }

    private string WriteFile(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"relay-exporter-web-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, text);
        _files.Add(path);
        return path;
    }

    public void Dispose()
    {
        foreach (var file in _files) File.Delete(file);
        _certificates.Dispose();
    }
}
