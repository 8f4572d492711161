using RelayExporter.Web;

namespace RelayExporter.Routing;

public static class RoutingEndpoints
{
    /// <summary><c>GET /api/v1/route?model=M</c>.</summary>
    public static IEndpointRouteBuilder MapRoutingEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/route", (string? model, RouteAdvisor advisor) =>
        {
            if (string.IsNullOrWhiteSpace(model)) return Results.Json(new ErrorResponse("missing parameter 'model'"), WebJson.Default.ErrorResponse, statusCode: StatusCodes.Status400BadRequest);
            return advisor.Advise(model) switch
            {
                null => Results.Json(new ErrorResponse($"no target is configured to serve model '{model}' and it has no fallback chain"), WebJson.Default.ErrorResponse, statusCode: StatusCodes.Status404NotFound),
                { Targets.Count: 0 } advice => Results.Json(advice, RoutingJson.Default.RouteAdvice, statusCode: StatusCodes.Status503ServiceUnavailable),
                var advice => Results.Json(advice, RoutingJson.Default.RouteAdvice),
            };
        });
        return endpoints;
    }
}
