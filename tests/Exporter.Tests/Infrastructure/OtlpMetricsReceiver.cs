using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace RelayExporter.Tests.Infrastructure;

/// <summary>An OTLP/HTTP metrics receiver: accepts POST /v1/metrics and decodes the protobuf request body.</summary>
public sealed class OtlpMetricsReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<OtlpDataPoint> _points = new();

    private OtlpMetricsReceiver(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;
    public IReadOnlyCollection<OtlpDataPoint> Points => _points;
    public int Requests { get; private set; }

    public static async Task<OtlpMetricsReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpMetricsReceiver(app);
        app.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            if (request.ContentType != "application/x-protobuf") return Results.StatusCode(415);
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            foreach (var point in OtlpMetricsDecoder.Decode(body.ToArray())) receiver._points.Enqueue(point);
            receiver.Requests++;
            return Results.Bytes([], "application/x-protobuf"); // an empty ExportMetricsServiceResponse
        });
        await app.StartAsync();
        receiver.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record OtlpDataPoint(string Metric, string Unit, IReadOnlyDictionary<string, string> Attributes, double Value);

/// <summary>
/// Walks the OTLP protobuf wire format by field number (opentelemetry/proto/metrics/v1/metrics.proto): we have
/// Google.Protobuf but not the generated OTLP classes.
/// </summary>
public static class OtlpMetricsDecoder
{
    public static IEnumerable<OtlpDataPoint> Decode(byte[] request) =>
        Messages(request, 1)                                      // ExportMetricsServiceRequest.resource_metrics
            .SelectMany(resource => Messages(resource, 2))        // ResourceMetrics.scope_metrics
            .SelectMany(scope => Messages(scope, 2))              // ScopeMetrics.metrics
            .SelectMany(DecodeMetric);

    private static IEnumerable<OtlpDataPoint> DecodeMetric(ByteString metric)
    {
        var name = Strings(metric, 1).Single();
        var unit = Strings(metric, 3).SingleOrDefault() ?? "";
        // Metric.gauge = 5 and Metric.sum = 7 hold NumberDataPoints (attributes = 7) in field 1.
        foreach (var point in Messages(metric, 5).Concat(Messages(metric, 7)).SelectMany(data => Messages(data, 1)))
            yield return new OtlpDataPoint(name, unit, Attributes(point, 7), NumberValue(point));
        // Metric.histogram = 9 holds HistogramDataPoints (attributes = 9, sum = 5 as a double) in field 1.
        foreach (var point in Messages(metric, 9).SelectMany(data => Messages(data, 1)))
            yield return new OtlpDataPoint(name, unit, Attributes(point, 9),
                Fields(point).Where(f => f.Number == 5).Select(f => BitConverter.Int64BitsToDouble((long)f.Fixed64)).SingleOrDefault());
    }

    private static IReadOnlyDictionary<string, string> Attributes(ByteString point, int field) =>
        Messages(point, field).ToDictionary(
            kv => Strings(kv, 1).Single(),
            kv => Messages(kv, 2).Select(any => Strings(any, 1).SingleOrDefault() ?? "").SingleOrDefault() ?? "");

    /// <summary>NumberDataPoint.as_double = 4 (fixed64 bits of a double), as_int = 6 (sfixed64).</summary>
    private static double NumberValue(ByteString point)
    {
        foreach (var field in Fields(point))
        {
            if (field.Number == 4) return BitConverter.Int64BitsToDouble((long)field.Fixed64);
            if (field.Number == 6) return (long)field.Fixed64;
        }
        return double.NaN;
    }

    private static IEnumerable<ByteString> Messages(ByteString message, int number) =>
        Fields(message).Where(f => f.Number == number && f.Bytes is not null).Select(f => f.Bytes!);

    private static IEnumerable<ByteString> Messages(byte[] message, int number) => Messages(ByteString.CopyFrom(message), number);

    private static IEnumerable<string> Strings(ByteString message, int number) => Messages(message, number).Select(b => b.ToStringUtf8());

    private sealed record Field(int Number, ByteString? Bytes, ulong Fixed64);

    private static List<Field> Fields(ByteString message)
    {
        var fields = new List<Field>();
        var input = message.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.LengthDelimited: fields.Add(new Field(number, input.ReadBytes(), 0)); break;
                case WireFormat.WireType.Fixed64: fields.Add(new Field(number, null, input.ReadFixed64())); break;
                case WireFormat.WireType.Varint: fields.Add(new Field(number, null, input.ReadUInt64())); break;
                default: input.SkipLastField(); break;
            }
        }
        return fields;
    }
}
