using System.Buffers;

namespace RelayExporter.Telemetry.Prometheus;

/// <summary>Where a render writes the body: as it is (<see cref="SegmentedBuffer"/>) or compressed as it goes (<see cref="GzipBodyWriter"/>).</summary>
internal interface IScrapeBodyWriter : IBufferWriter<byte>
{
    /// <summary>Ends the body and returns its bytes as they will be sent; nothing may be written after.</summary>
    SegmentedBuffer Complete();
}
