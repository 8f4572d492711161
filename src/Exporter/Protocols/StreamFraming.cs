using System.Net.ServerSentEvents;

namespace RelayExporter.Protocols;

/// <summary>How a protocol frames a streamed answer on the wire, and how a complete one ends.</summary>
public interface IStreamFraming
{
    /// <summary>The Content-Type of a streamed answer.</summary>
    string MediaType { get; }

    /// <summary>Reads the events of a streamed answer's body, which the reading disposes.</summary>
    IStreamReading Open(Stream body);

    /// <summary>Why a stream that closed after <paramref name="events"/> events is incomplete; null when it ended as it must.</summary>
    /// <param name="sawEnd">Whether a frame said the stream ends (<see cref="StreamFrame.IsEnd"/>).</param>
    string? Unfinished(bool sawEnd, string? finishReason, int events);
}

/// <summary>One streamed answer being read: its events, each as an event type and its data, and the keep-alives between them.</summary>
public interface IStreamReading : IAsyncDisposable
{
    IAsyncEnumerable<(string EventType, string Data)> EventsAsync(CancellationToken cancellationToken);

    /// <summary>Keep-alives read so far, which carry no event.</summary>
    int KeepAlives { get; }
}

/// <summary>
/// Server-sent events: ending with an explicit end frame (OpenAI's <c>[DONE]</c>, Anthropic's <c>message_stop</c>), or
/// with a clean close after a frame with a finish reason (Gemini).
/// </summary>
public sealed class ServerSentEvents : IStreamFraming
{
    public static readonly ServerSentEvents EndingWithMarker = new(endsWithMarker: true);
    public static readonly ServerSentEvents EndingWithFinishReason = new(endsWithMarker: false);

    private readonly bool _endsWithMarker;

    private ServerSentEvents(bool endsWithMarker) => _endsWithMarker = endsWithMarker;

    public string MediaType => "text/event-stream";

    public IStreamReading Open(Stream body) => new Reading(new SseCommentCounter(body));

    public string? Unfinished(bool sawEnd, string? finishReason, int events) =>
        sawEnd ? null
        : _endsWithMarker ? $"stream closed after {events} events without its end marker"
        : finishReason is null ? $"stream closed after {events} events without a finish reason"
        : null;

    private sealed class Reading(SseCommentCounter body) : IStreamReading
    {
        public int KeepAlives => body.Comments;

        public async IAsyncEnumerable<(string EventType, string Data)> EventsAsync(
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var item in SseParser.Create(body).EnumerateAsync(cancellationToken))
                yield return (item.EventType, item.Data);
        }

        public ValueTask DisposeAsync() => body.DisposeAsync();
    }
}
