using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Web;

namespace RelayExporter.OnDemand;

public static class ProbeEndpoints
{
    /// <summary>
    /// <c>/probe?target=NAME&amp;check=CHECK[&amp;model=M][&amp;debug=true]</c>: run one probe now (blackbox_exporter's
    /// multi-target pattern). Chat and stream probes need the admin token.
    /// </summary>
    public static IEndpointRouteBuilder MapProbeEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/probe", async (string? target, string? check, string? model, string? debug, HttpRequest request, RunningConfig config, ProbeHandler handler, CancellationToken cancellationToken) =>
        {
            var (job, error) = OnDemandProbeRequest.Resolve(config.Current, target, check, model);
            if (job is null) return Results.Text(error + "\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
            // Whoever reaches the port must not be able to spend the provider account's money.
            if (CheckKinds.Of(job.Check).Paid && AdminAuthorization.Refusal(request, config, "on-demand chat and stream probes (paid completions)") is { } refusal)
                return refusal;
            if (debug is not (null or "true" or "false"))
                return Results.Text($"parameter 'debug' must be true or false, got '{debug}'\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);

            var result = await handler.ExecuteAsync(job, transcribe: debug == "true", cancellationToken);
            return debug == "true"
                ? Results.Text(ProbeDebugTrace.Render(job, result), "text/plain; charset=utf-8")
                : Results.Text(ProbeResultMetricsText.Render(result), ProbeResultMetricsText.ContentType);
        });
        return endpoints;
    }
}
