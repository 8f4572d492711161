namespace RelayExporter.Tests.Infrastructure;

/// <summary>
/// Tests that set a configuration override (<c>RELAY_EXPORTER__…</c>) in the process environment: every configuration
/// another test loads meanwhile would take it too, so they run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "process environment overrides";
}
