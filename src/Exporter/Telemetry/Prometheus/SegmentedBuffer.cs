using System.Buffers;
using System.IO.Pipelines;

namespace RelayExporter.Telemetry.Prometheus;

/// <summary>
/// A rendered scrape body in 64 KiB segments: a large fleet's body is tens of megabytes, and one contiguous buffer
/// would be a large-object-heap array copied at every doubling. Written once, then read by any number of scrapers.
/// </summary>
internal sealed class SegmentedBuffer : IScrapeBodyWriter
{
    // Below the 85,000-byte large-object threshold.
    internal const int SegmentSize = 64 * 1024;
    private const int FlushBytes = 1024 * 1024;

    private readonly List<(byte[] Array, int Length)> full = [];
    private byte[] current = new byte[SegmentSize];
    private int written;

    /// <summary>Bytes written so far.</summary>
    public long Length { get; private set; }

    public void Advance(int count)
    {
        if (count < 0 || written + count > current.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        written += count;
        Length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return current.AsMemory(written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return current.AsSpan(written);
    }

    public SegmentedBuffer Complete() => this;

    /// <summary>Appends another buffer's bytes (its segments, not a copy); <paramref name="other"/> must not be written again.</summary>
    public SegmentedBuffer Append(SegmentedBuffer other)
    {
        full.Add((current, written));
        full.AddRange(other.full);
        current = other.current;
        written = other.written;
        Length += other.Length;
        return this;
    }

    /// <summary>Copies the body into the pipe, flushing every megabyte or so (one flush per segment costs a syscall each).</summary>
    public async Task WriteToAsync(PipeWriter destination, CancellationToken cancellationToken)
    {
        var unflushed = 0;
        foreach (var (array, length) in full)
        {
            destination.Write(array.AsSpan(0, length));
            unflushed += length;
            if (unflushed >= FlushBytes)
            {
                await destination.FlushAsync(cancellationToken);
                unflushed = 0;
            }
        }

        destination.Write(current.AsSpan(0, written));
        await destination.FlushAsync(cancellationToken);
    }

    private void Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (current.Length - written >= needed)
        {
            return;
        }

        full.Add((current, written));
        current = new byte[Math.Max(SegmentSize, needed)];
        written = 0;
    }
}
