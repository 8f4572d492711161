using Microsoft.AspNetCore.Http;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Probing.Http;
using RelayExporter.Tests.Infrastructure;
using RelayExporter.Outcomes;

namespace RelayExporter.Tests.Probing;

/// <summary>
/// Secrets are read when the configuration is loaded, and only then: probes send, and the redactor knows, the values of
/// the configuration in force — a credential file that changes or disappears takes effect at the next reload.
/// </summary>
public sealed class LoadedSecretsTests : IDisposable
{
    private const string FirstKey = "sk-first-4f9c2a7e1b3d";
    private const string SecondKey = "sk-second-8e1d5b0c6a2f";
    private const string AdminToken = "admin-token-1c7e9f3a";
    private readonly string _directory = Directory.CreateTempSubdirectory("relay-exporter-secrets-").FullName;

    [Fact]
    public void A_credential_changed_by_reload_is_redacted_as_is_the_admin_token()
    {
        var keyFile = Write("key", FirstKey);
        var path = Config(keyFile, "http://127.0.0.1:1");
        var config = new RunningConfig(path, ConfigLoader.Load(path), TimeProvider.System);
        var secrets = new ProcessSecrets(config);
        Assert.Equal($"{SecretRedactor.Marker} {SecretRedactor.Marker}", secrets.Redactor().Redact($"{FirstKey} {AdminToken}"));

        File.WriteAllText(keyFile, SecondKey);
        Assert.Empty(config.Reload());

        Assert.Equal($"{SecretRedactor.Marker} {SecretRedactor.Marker}", secrets.Redactor().Redact($"{SecondKey} {AdminToken}"));
    }

    [Fact]
    public void The_credentials_of_targets_another_shard_probes_and_those_a_reload_replaced_are_redacted_too()
    {
        var keyFile = Write("key", FirstKey);
        var path = Config(keyFile, "http://127.0.0.1:1");
        // As a sharded replica whose shard has none of the file's targets: the process still read their credentials.
        var config = new RunningConfig(path, ConfigLoader.Load(path), TimeProvider.System, options => { options.Targets = []; return options; });
        var secrets = new ProcessSecrets(config);
        Assert.Empty(config.Current.Targets);
        Assert.Equal(SecretRedactor.Marker, secrets.Redactor().Redact(FirstKey));

        File.WriteAllText(keyFile, SecondKey);
        Assert.Empty(config.Reload());

        // An upstream may still echo the key the file named before (a rotation; a relay forwarding with it).
        Assert.Equal($"{SecretRedactor.Marker} {SecretRedactor.Marker}", secrets.Redactor().Redact($"{FirstKey} {SecondKey}"));
    }

    [Fact]
    public async Task A_credential_file_deleted_after_loading_is_still_sent_and_redacted_until_reload()
    {
        // The upstream refuses the key and echoes it back, as a hostile or careless one does.
        await using var upstream = await LoopbackServer.StartAsync(context =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return context.Response.WriteAsync($"invalid key: {context.Request.Headers.Authorization}");
        });
        var keyFile = Write("key", FirstKey);
        using var rig = new ProbeRig(ConfigLoader.Load(Config(keyFile, upstream.Url.ToString())));

        File.Delete(keyFile);
        var result = await rig.ProbeAsync("echo", CheckKinds.Models.Name);

        Assert.Equal($"Bearer {FirstKey}", Assert.Single(upstream.Requests)["Authorization"]);
        Assert.Equal(ProbeOutcome.AuthError, result.Outcome);
        Assert.Contains($"invalid key: Bearer {SecretRedactor.Marker}", result.Reason);
        Assert.DoesNotContain(FirstKey, result.Reason);
    }

    private string Config(string keyFile, string baseUrl)
    {
        var path = Path.Combine(_directory, "relay-exporter.yml");
        File.WriteAllText(path, $$"""
            targets:
              - { name: echo, protocol: openai, base_url: "{{baseUrl}}", credential: { file: "{{keyFile}}" }, checks: { models: {} } }
            admin:
              token: { file: "{{Write("token", AdminToken)}}" }
            """);
        return path;
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
