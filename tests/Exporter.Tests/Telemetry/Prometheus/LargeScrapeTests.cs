using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;
using OpenTelemetry.Metrics;
using RelayExporter.Telemetry.Prometheus;

namespace RelayExporter.Tests.Telemetry.Prometheus;

/// <summary>Bodies large enough to span many buffer segments and to be rendered in two halves at once.</summary>
public sealed class LargeScrapeTests
{
    [Fact]
    public async Task A_large_body_rendered_in_two_halves_has_every_series_once_and_every_family_in_one_piece()
    {
        const int series = 12_000;
        using var harness = new MeterHarness(configure: m => m.AddView(_ => new MetricStreamConfiguration { CardinalityLimit = series + 10 }));
        var counter = harness.Meter.CreateCounter<long>("relay.first");
        var gauge = harness.Meter.CreateGauge<double>("relay.second");
        var histogram = harness.Meter.CreateHistogram<double>("relay.third", "s");
        for (var i = 0; i < series; i++)
        {
            var tag = new KeyValuePair<string, object?>("target", $"t{i:D5}");
            counter.Add(i, tag);
            gauge.Record(i / 4.0, tag);
            histogram.Record(i % 7, tag);
        }

        var text = await harness.RenderAsync(PrometheusFormat.OpenMetrics100);

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("# EOF", lines[^1]);
        Assert.Equal(lines.Length, lines.Distinct().Count());
        foreach (var (prefix, linesPerSeries) in new[] { ("relay_first_total{", 1), ("relay_second{", 1), ("relay_third_seconds_", 18) })
        {
            var indices = lines.Select((line, index) => (line, index)).Where(l => l.line.StartsWith(prefix)).Select(l => l.index).ToList();
            Assert.Equal(series * linesPerSeries, indices.Count);
            Assert.Equal(indices[0] + indices.Count - 1, indices[^1]); // contiguous: the family was not split between the halves
        }

        Assert.Contains("relay_first_total{target=\"t11999\"} 11999\n", text);
        Assert.Contains("relay_second{target=\"t00003\"} 0.75\n", text);
        Assert.Contains("relay_third_seconds_bucket{target=\"t00006\",le=\"+Inf\"} 1\n", text);
        Assert.True(Encoding.UTF8.GetByteCount(text) > 1024 * 1024);
    }

    [Fact]
    public async Task A_large_body_gzipped_as_it_renders_decompresses_to_the_plain_body()
    {
        const int series = 12_000;
        using var harness = new MeterHarness(configure: m => m.AddView(_ => new MetricStreamConfiguration { CardinalityLimit = series + 10 }));
        var gauge = harness.Meter.CreateGauge<double>("relay.first");
        var histogram = harness.Meter.CreateHistogram<double>("relay.second", "s");
        for (var i = 0; i < series; i++)
        {
            var tag = new KeyValuePair<string, object?>("target", $"t{i:D5}");
            gauge.Record(i / 4.0, tag);
            histogram.Record(i % 7, tag);
        }

        var plain = await harness.RenderBytesAsync(PrometheusFormat.OpenMetrics100, gzip: false);
        var compressed = await harness.RenderBytesAsync(PrometheusFormat.OpenMetrics100, gzip: true);

        using var decompressed = new MemoryStream();
        await using (var gunzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress))
        {
            await gunzip.CopyToAsync(decompressed);
        }

        Assert.True(plain.Length > 1024 * 1024);
        Assert.True(compressed.Length < plain.Length / 5, $"{compressed.Length} bytes gzipped of {plain.Length}");
        Assert.Equal(Encoding.UTF8.GetString(plain), Encoding.UTF8.GetString(decompressed.ToArray()));
    }

    [Fact]
    public async Task Segments_keep_every_byte_in_order_across_boundaries_and_appends()
    {
        var expected = new MemoryStream();
        var first = new SegmentedBuffer();
        var second = new SegmentedBuffer();
        var random = new Random(7);
        foreach (var (buffer, writes) in new[] { (first, 300), (second, 200) })
        {
            for (var i = 0; i < writes; i++)
            {
                var size = random.Next(1, i % 50 == 0 ? 100_000 : 3_000); // now and then larger than a segment
                var span = buffer.GetSpan(size);
                Assert.True(span.Length >= size);
                random.NextBytes(span[..size]);
                expected.Write(span[..size]);
                buffer.Advance(size);
            }
        }

        first.Append(second);
        var actual = new MemoryStream();
        await first.WriteToAsync(PipeWriter.Create(actual), CancellationToken.None);

        Assert.Equal(expected.Length, first.Length);
        Assert.Equal(expected.ToArray(), actual.ToArray());
    }
}
