using System.Text.Json;
using RelayExporter.Configuration;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Status;

/// <summary>
/// What the exporter shows of a target's protocol and kind is the name the configuration gives it: the status API (and
/// with it the status page) and the debug trace call Azure OpenAI <c>azure_openai</c>, as the file does.
/// </summary>
[Collection(ExporterHostCollection.Name)]
public sealed class ConfiguredNamesTests
{
    [Fact]
    public async Task The_status_api_and_the_debug_trace_name_every_protocol_and_kind_as_the_configuration_does()
    {
        // Nothing listens on port 9: the probes fail fast, which is all the names need.
        var targets = ProtocolKinds.All.Select((p, i) => (Name: $"t{i}", Protocol: p.Name, Kind: i % 2 == 0 ? "relay" : "provider")).ToList();
        await using var exporter = await ExporterHost.StartAsync("targets:\n" + string.Join("\n", targets.Select(t =>
            $"  - {{ name: {t.Name}, kind: {t.Kind}, protocol: {t.Protocol}, base_url: \"http://127.0.0.1:9\", query: {{ api-version: 2024-10-21 }}, " +
            "checks: { models: { interval: 1h, timeout: 10s } } }")));
        using var client = exporter.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/api/v1/targets"));
        var shown = document.RootElement.GetProperty("targets").EnumerateArray()
            .Select(t => (t.GetProperty("name").GetString(), t.GetProperty("protocol").GetString(), t.GetProperty("kind").GetString()));

        Assert.Equal(targets.Select(t => ((string?)t.Name, (string?)t.Protocol, (string?)t.Kind)), shown);
        Assert.Contains(targets, t => t.Protocol == "azure_openai");
        foreach (var target in targets)
        {
            var trace = await client.GetStringAsync($"/probe?target={target.Name}&check=models&debug=true");
            Assert.StartsWith($"Probe {target.Name}/models ({target.Protocol} protocol, {target.Kind}), timeout", trace);
        }
    }
}
