using System.Reflection;
using System.Runtime.InteropServices;

namespace RelayExporter.Telemetry;

/// <summary>Which build is running, for relay_exporter_build_info and --version.</summary>
public sealed record BuildInfo(string Version, string Revision, string Runtime)
{
    public static BuildInfo Current { get; } = FromAssembly(typeof(BuildInfo).Assembly);

    private static BuildInfo FromAssembly(Assembly assembly)
    {
        // InformationalVersion is "0.1.0+<git sha>" when the SDK knows the source revision.
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+');
        return plus < 0
            ? new BuildInfo(informational, "unknown", RuntimeInformation.FrameworkDescription)
            : new BuildInfo(informational[..plus], informational[(plus + 1)..], RuntimeInformation.FrameworkDescription);
    }
}
