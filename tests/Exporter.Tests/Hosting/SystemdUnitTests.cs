using RelayExporter.Hosting;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Hosting;

/// <summary>deploy/systemd/relay-exporter.service starts the exporter with flags it has, hardened.</summary>
public class SystemdUnitTests
{
    private static readonly string[] Unit = File.ReadAllLines(RepositoryPaths.File("deploy", "systemd", "relay-exporter.service"));

    [Fact]
    public void The_unit_starts_the_exporter_with_flags_the_exporter_accepts()
    {
        var execStart = Assert.Single(Unit, l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..].Split(' ');

        Assert.Equal("/usr/local/bin/relay-exporter", execStart[0]);
        var (parsed, errors) = CommandLine.Parse(execStart[1..], _ => null);
        Assert.Empty(errors);
        Assert.Equal(("/etc/relay-exporter/relay-exporter.yml", ":9477", LogFormat.Json), (parsed!.ConfigFile, parsed.ListenAddress, parsed.LogFormat));
        // The install lines in the unit put the repository's example configuration there.
        Assert.Contains(Unit, l => l.Contains("examples/relay-exporter.yml /etc/relay-exporter/relay-exporter.yml", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("DynamicUser=yes")]
    [InlineData("ProtectSystem=strict")]
    [InlineData("ProtectHome=yes")]
    [InlineData("NoNewPrivileges=yes")]
    [InlineData("CapabilityBoundingSet=")]
    [InlineData("PrivateTmp=yes")]
    [InlineData("RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX")]
    [InlineData("ExecReload=/bin/kill -HUP $MAINPID")]
    public void The_unit_is_hardened_and_reloads_with_sighup(string line) => Assert.Contains(line, Unit);
}
