using System.Text.Json;

namespace RelayExporter.Simulator.Tests;

/// <summary>A server-sent event as received: a comment, or an optional event name with its data.</summary>
public sealed record SseEvent(string? Event, string? Data, string? Comment)
{
    public JsonElement Json => JsonDocument.Parse(Data!).RootElement.Clone();
}

public static class Sse
{
    /// <summary>Reads events until the server ends the stream (or it fails, which throws).</summary>
    public static async Task<List<SseEvent>> ReadAllAsync(HttpResponseMessage response, CancellationToken ct = default)
    {
        var events = new List<SseEvent>();
        await foreach (var e in ReadAsync(response, ct)) events.Add(e);
        return events;
    }

    public static async IAsyncEnumerable<SseEvent> ReadAsync(HttpResponseMessage response,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        string? eventName = null, data = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (eventName is not null || data is not null) yield return new SseEvent(eventName, data, null);
                eventName = data = null;
            }
            else if (line.StartsWith(':')) yield return new SseEvent(null, null, line[1..].Trim());
            else if (line.StartsWith("event: ")) eventName = line["event: ".Length..];
            else if (line.StartsWith("data: ")) data = data is null ? line["data: ".Length..] : data + "\n" + line["data: ".Length..];
        }
        if (eventName is not null || data is not null) yield return new SseEvent(eventName, data, null);
    }
}
