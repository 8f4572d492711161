using OpenTelemetry;
using OpenTelemetry.Metrics;
namespace RelayExporter.Telemetry.Prometheus;
public sealed class PrometheusScrapeOptions;
[ExportModes(ExportModes.Pull)]
public sealed class PrometheusScrapeExporter(PrometheusScrapeOptions options) : BaseExporter<Metric>
{
    public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
}
public static class PrometheusEndpointStub
{
    public static IEndpointConventionBuilder MapPrometheusScrapeEndpoint(this IEndpointRouteBuilder e, string path = "/metrics") => e.MapGet(path, () => "stub");
}
