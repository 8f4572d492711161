using System.Text;
using System.Text.Json.Nodes;

namespace RelayExporter.Simulator;

/// <summary>What to answer, before faults shape how it is written.</summary>
internal abstract class SimResponse(int status)
{
    public int Status { get; } = status;

    /// <summary>Tokens the request consumed, for the rate-limit counters.</summary>
    public int Tokens { get; init; }

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
}

internal sealed class BodyResponse(int status, string contentType, byte[] body) : SimResponse(status)
{
    public string ContentType { get; } = contentType;
    public byte[] Body { get; } = body;

    public static BodyResponse Json(int status, JsonNode body, int tokens = 0) =>
        new(status, "application/json", Encoding.UTF8.GetBytes(body.ToJsonString(Wire.JsonOptions))) { Tokens = tokens };
}

internal sealed class StreamResponse(IReadOnlyList<SseFrame> frames, SseFrame errorFrame) : SimResponse(200)
{
    public IReadOnlyList<SseFrame> Frames { get; } = frames;

    /// <summary>Sent mid-way instead of the rest of the stream under the stream_error fault.</summary>
    public SseFrame ErrorFrame { get; } = errorFrame;
}

/// <summary>One SSE frame, already formatted. Comments (keep-alives) are not data frames.</summary>
internal sealed record SseFrame(string Text, bool IsData)
{
    public static SseFrame Data(JsonNode data, string? eventName = null) =>
        new((eventName is null ? "" : $"event: {eventName}\n") + $"data: {data.ToJsonString(Wire.JsonOptions)}\n\n", true);

    public static SseFrame Comment(string text) => new($": {text}\n\n", false);

    public static readonly SseFrame Done = new("data: [DONE]\n\n", true);
}
