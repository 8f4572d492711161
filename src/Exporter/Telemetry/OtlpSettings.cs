using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace RelayExporter.Telemetry;

/// <summary>
/// OTLP push, configured by the standard OTEL_EXPORTER_OTLP_* variables. Read from the app's configuration (which
/// includes the environment) rather than by the SDK itself, so a host built in a test can set them too.
/// </summary>
internal sealed record OtlpSettings(Uri Endpoint, OtlpExportProtocol Protocol, int? ExportIntervalMilliseconds, string? Headers)
{
    public static OtlpSettings? From(IConfiguration configuration)
    {
        var protocol = configuration["OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"] ?? configuration["OTEL_EXPORTER_OTLP_PROTOCOL"];
        var kind = protocol switch
        {
            null or "" or "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            _ => throw new InvalidOperationException($"OTEL_EXPORTER_OTLP_PROTOCOL \"{protocol}\" is not supported; use grpc or http/protobuf"),
        };
        var interval = int.TryParse(configuration["OTEL_METRIC_EXPORT_INTERVAL"], out var ms) && ms > 0 ? ms : (int?)null;
        var headers = configuration["OTEL_EXPORTER_OTLP_METRICS_HEADERS"] ?? configuration["OTEL_EXPORTER_OTLP_HEADERS"];

        if (configuration["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] is { Length: > 0 } metricsEndpoint)
            return new OtlpSettings(ParseEndpoint("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", metricsEndpoint), kind, interval, headers);
        if (configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is not { Length: > 0 } endpoint) return null;

        // The signal-neutral endpoint is a base: over HTTP each signal appends its own path, as every OTLP exporter does.
        var uri = ParseEndpoint("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
        if (kind == OtlpExportProtocol.HttpProtobuf) uri = new Uri(uri.AbsoluteUri.TrimEnd('/') + "/v1/metrics");
        return new OtlpSettings(uri, kind, interval, headers);
    }

    /// <summary>A periodic reader pushing to <see cref="Endpoint"/> (every 60 s unless OTEL_METRIC_EXPORT_INTERVAL says otherwise).</summary>
    public MetricReader CreateReader()
    {
        var exporter = new OtlpExporterOptions { Endpoint = Endpoint, Protocol = Protocol };
        if (Headers is not null) exporter.Headers = Headers;
        return new PeriodicExportingMetricReader(new OtlpMetricExporter(exporter), ExportIntervalMilliseconds ?? 60_000);
    }

    private static Uri ParseEndpoint(string variable, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new InvalidOperationException($"{variable} \"{value}\" is not an absolute http(s) URL");
}
