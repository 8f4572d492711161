using System.Text.Json;
using RelayExporter.Status;

namespace RelayExporter.Routing;

public static class RoutingEndpoints
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary><c>GET /api/v1/targets</c> and <c>GET /api/v1/route?model=M</c>.</summary>
    public static IEndpointRouteBuilder MapRoutingEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/targets", (TargetStatusReport report) => Results.Json(report.Build(), Json));
        endpoints.MapGet("/api/v1/route", (string? model, RouteAdvisor advisor) =>
        {
            if (string.IsNullOrWhiteSpace(model)) return Results.Json(new { error = "missing parameter 'model'" }, Json, statusCode: StatusCodes.Status400BadRequest);
            return advisor.Advise(model) switch
            {
                null => Results.Json(new { error = $"no target is configured to serve model '{model}' and it has no fallback chain" }, Json, statusCode: StatusCodes.Status404NotFound),
                { Targets.Count: 0 } advice => Results.Json(advice, Json, statusCode: StatusCodes.Status503ServiceUnavailable),
                var advice => Results.Json(advice, Json),
            };
        });
        return endpoints;
    }
}
