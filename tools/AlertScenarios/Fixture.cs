using System.Text.Json;
using System.Text.Json.Serialization;

namespace RelayExporter.AlertScenarios;

/// <summary>
/// What Prometheus scraped from the exporter during one scenario: every series of the scenario's target (and the exporter's
/// <c>up</c>), one value per scrape (null: no sample in that scrape), exactly as stored. Values are Prometheus's strings.
/// </summary>
internal sealed record Fixture(
    [property: JsonPropertyName("scenario")] string Scenario,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("scrape_interval_seconds")] int ScrapeIntervalSeconds,
    [property: JsonPropertyName("start_unix_seconds")] long StartUnixSeconds,
    [property: JsonPropertyName("fault_step")] int FaultStep,
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("series")] IReadOnlyList<FixtureSeries> Series)
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    public static string FileName(string scenario) => scenario + ".json";

    public static Fixture Load(string path) =>
        JsonSerializer.Deserialize<Fixture>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"{path} is empty");

    /// <summary>One series per line, so that a re-recording diffs readably.</summary>
    public void Save(string path)
    {
        using var file = File.CreateText(path);
        var header = this with { Series = [] };
        var head = JsonSerializer.Serialize(header, Options);
        file.Write(head[..^"[]}".Length]);
        file.WriteLine("[");
        for (var i = 0; i < Series.Count; i++)
        {
            file.Write("  ");
            file.Write(JsonSerializer.Serialize(Series[i], Options));
            file.WriteLine(i < Series.Count - 1 ? "," : "");
        }

        file.WriteLine("]}");
    }
}

internal sealed record FixtureSeries(
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string> Labels,
    [property: JsonPropertyName("values")] IReadOnlyList<string?> Values)
{
    [JsonIgnore]
    public string Name => Labels["__name__"];
}
