using System.Runtime.InteropServices;
using RelayExporter.Simulator;

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}

SimulatorOptions options;
try
{
    options = CommandLine.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"relay-simulator: {e.Message}");
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}

SimulatorHost host;
try
{
    host = await SimulatorHost.StartAsync(options);
}
catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException)
{
    Console.Error.WriteLine($"relay-simulator: cannot start: {e.Message}");
    return 1;
}

await using (host)
{
    var stop = new TaskCompletionSource();
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    Console.WriteLine($"simulator ready {host.DescribeUrls()}");
    await stop.Task;

    void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        stop.TrySetResult();
    }
}
return 0;
