namespace RelayExporter.Probing.Checks;

/// <summary>
/// Passes a server-sent event stream through, counting its comment lines (<c>: keep-alive</c>), which the SSE parser
/// drops: a stream that only ever sends those has said nothing, and the reason says how many it sent.
/// </summary>
internal sealed class SseCommentCounter(Stream inner) : Stream
{
    private bool _atLineStart = true;

    public int Comments { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        foreach (var b in buffer.Span[..read])
        {
            if (_atLineStart && b == (byte)':') Comments++;
            _atLineStart = b is (byte)'\n' or (byte)'\r';
        }
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
