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
        return endpoints;
    }
}
