using RelayExporter.Configuration;
using RelayExporter.Web;

namespace RelayExporter.Operations;

public static class OperationsEndpoints
{
    /// <summary>Liveness and readiness, the way Prometheus serves them.</summary>
    public static IEndpointRouteBuilder MapOperationsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/-/healthy", ["GET", "HEAD"], () => Results.Text("Relay Exporter is Healthy.\n"));
        endpoints.MapMethods("/-/ready", ["GET", "HEAD"], (IHostApplicationLifetime lifetime) =>
            lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested
                ? Results.Text("Relay Exporter is Ready.\n")
                : Results.Text("Relay Exporter is not ready.\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        endpoints.MapPost("/-/reload", (HttpRequest request, RunningConfig config, ConfigReloader reloader) =>
        {
            if (AdminAuthorization.Refusal(request, config) is { } refusal) return refusal;
            var problems = reloader.Reload("POST /-/reload");
            return problems.Count == 0
                ? Results.Json(new ReloadedResponse("reloaded", config.Current.Targets.Count), OperationsJson.Default.ReloadedResponse)
                : Results.Json(new ReloadRejectedResponse("rejected", "the configuration is invalid; the running one stays in force", problems.Select(p => p.ToString()).ToList()),
                    OperationsJson.Default.ReloadRejectedResponse, statusCode: StatusCodes.Status400BadRequest);
        });
        return endpoints;
    }
}
