namespace RelayExporter.Tests.Infrastructure;

/// <summary>Small exporter configurations that tests start from.</summary>
public static class TestConfigs
{
    /// <summary>One target on a loopback port where nothing listens: every probe ends in connect_error.</summary>
    public static string UnreachableTarget(string name) => $"""
        targets:
          - name: {name}
            protocol: openai
            base_url: http://127.0.0.1:{FreePort.Get()}
            checks:
              models: {"{"} interval: 1s, timeout: 1s {"}"}
        """;
}
