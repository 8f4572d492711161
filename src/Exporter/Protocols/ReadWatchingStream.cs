using RelayExporter.Outcomes;

namespace RelayExporter.Protocols;

/// <summary>
/// A read-only stream over another that shows a subclass every chunk read, as it is read — to bound a body, or count
/// what a parser further on drops. Disposing it disposes the stream it reads.
/// </summary>
public abstract class ReadWatchingStream(Stream inner) : Stream
{
    private long _read;

    /// <summary>Sees a chunk just read; may throw to end the read (a <see cref="ProbeFailure"/>).</summary>
    protected abstract void Watch(ReadOnlySpan<byte> chunk, long readSoFar);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        _read += read;
        Watch(buffer.Span[..read], _read);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }
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
