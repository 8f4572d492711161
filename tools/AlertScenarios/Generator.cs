namespace RelayExporter.AlertScenarios;

internal static class Generator
{
    public static Task<int> RunAsync(string root) => Task.FromResult(0);
}
