using System.Diagnostics.CodeAnalysis;
using System.IO.Compression;

namespace RelayExporter.Telemetry.Prometheus;

/// <summary>
/// Renders into one reused segment and gzips each full segment, so a scrape holds its body compressed (about a tenth of
/// it: ~3 MB instead of ~30 MB at 10,000 probe series) and never all of the plain text at once.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "Completing the body ends the gzip stream and disposes it.")]
internal sealed class GzipBodyWriter : IScrapeBodyWriter
{
    private readonly SegmentedBuffer compressed = new();
    private readonly GZipStream gzip;
    private byte[] segment = new byte[SegmentedBuffer.SegmentSize];
    private int written;

    public GzipBodyWriter() => gzip = new GZipStream(new SegmentedBufferStream(compressed), CompressionLevel.Fastest);

    public void Advance(int count)
    {
        if (count < 0 || written + count > segment.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return segment.AsMemory(written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return segment.AsSpan(written);
    }

    /// <summary>Compresses what is left and ends the gzip member.</summary>
    public SegmentedBuffer Complete()
    {
        gzip.Write(segment, 0, written);
        written = 0;
        gzip.Dispose();
        return compressed;
    }

    private void Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (segment.Length - written >= needed)
        {
            return;
        }

        gzip.Write(segment, 0, written);
        written = 0;
        if (needed > segment.Length)
        {
            segment = new byte[needed];
        }
    }

    /// <summary>The compressor's output, appended to a <see cref="SegmentedBuffer"/>.</summary>
    private sealed class SegmentedBufferStream(SegmentedBuffer destination) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => destination.Length;

        public override long Position
        {
            get => destination.Length;
            set => throw new NotSupportedException();
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (!buffer.IsEmpty)
            {
                var span = destination.GetSpan();
                var count = Math.Min(span.Length, buffer.Length);
                buffer[..count].CopyTo(span);
                destination.Advance(count);
                buffer = buffer[count..];
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
