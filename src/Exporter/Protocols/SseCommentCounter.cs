namespace RelayExporter.Protocols;

/// <summary>
/// Passes a server-sent event stream through, counting its comment lines (<c>: keep-alive</c>), which the SSE parser
/// drops: a stream that only ever sends those has said nothing, and the reason says how many it sent.
/// </summary>
internal sealed class SseCommentCounter(Stream inner) : ReadWatchingStream(inner)
{
    private bool _atLineStart = true;

    public int Comments { get; private set; }

    protected override void Watch(ReadOnlySpan<byte> chunk, long readSoFar)
    {
        foreach (var b in chunk)
        {
            if (_atLineStart && b == (byte)':') Comments++;
            _atLineStart = b is (byte)'\n' or (byte)'\r';
        }
    }
}
