using Microsoft.Extensions.Logging;

namespace RelayExporter.Simulator;

public sealed class SimulatorOptions
{
    /// <summary>IP address every port listens on.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Admin API port; 0 picks a free one.</summary>
    public int AdminPort { get; init; }

    /// <summary>Targets get BasePort, BasePort+1, … in list order; 0 gives each a free port.</summary>
    public int BasePort { get; init; }

    public IReadOnlyList<TargetDefinition> Targets { get; init; } = DefaultTargets.All;

    public LogLevel LogLevel { get; init; } = LogLevel.Warning;

    /// <summary>When set, every target serves HTTPS with this certificate (to test TLS timing and certificate expiry).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; init; }
}
