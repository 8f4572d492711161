namespace RelayExporter.Simulator;

/// <summary>Parses <c>relay-simulator [--host 127.0.0.1] [--admin-port 18100] [--base-port 18101]</c>.</summary>
internal static class CommandLine
{
    public const string Usage =
        "usage: relay-simulator [--host ADDRESS] [--admin-port PORT] [--base-port PORT]\n" +
        "  --host        IP address to listen on (default 127.0.0.1; 0.0.0.0 in a container)\n" +
        "  --admin-port  admin API port (default 18100; 0 picks a free port)\n" +
        "  --base-port   first target port; targets use consecutive ports (default 18101; 0 picks free ports)";

    public static SimulatorOptions Parse(string[] args)
    {
        int adminPort = 18100, basePort = 18101;
        var host = "127.0.0.1";
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--host":
                    if (++i >= args.Length || !System.Net.IPAddress.TryParse(args[i], out _))
                        throw new FormatException("--host needs an IP address such as 127.0.0.1 or 0.0.0.0");
                    host = args[i];
                    break;
                case "--admin-port":
                    adminPort = Port(args, ++i, "--admin-port");
                    break;
                case "--base-port":
                    basePort = Port(args, ++i, "--base-port");
                    break;
                default:
                    throw new FormatException($"unknown argument '{args[i]}'");
            }
        }
        return new SimulatorOptions { Host = host, AdminPort = adminPort, BasePort = basePort };
    }

    private static int Port(string[] args, int index, string name)
    {
        if (index >= args.Length) throw new FormatException($"{name} needs a port number");
        if (!int.TryParse(args[index], out var port) || port is < 0 or > 65535)
            throw new FormatException($"{name} must be a port number from 0 to 65535, got '{args[index]}'");
        return port;
    }
}
