using RelayExporter.Configuration;
using RelayExporter.Hosting;
using RelayExporter.Operations;

namespace RelayExporter.Circuits;

public static class CircuitEndpoints
{
    /// <summary>The operator's runbook override: isolate a circuit (no probes, no routing) or close it by hand.</summary>
    public static IEndpointRouteBuilder MapCircuitEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/circuits/{target}/isolate", (string target, string? model, HttpRequest request, RunningConfig config, CircuitBoard circuits) =>
            OverrideAsync(target, model, request, config, circuits, circuit => circuit.IsolateAsync()));
        endpoints.MapPost("/api/v1/circuits/{target}/close", (string target, string? model, HttpRequest request, RunningConfig config, CircuitBoard circuits) =>
            OverrideAsync(target, model, request, config, circuits, circuit => circuit.CloseAsync()));
        return endpoints;
    }

    private static async Task<IResult> OverrideAsync(string target, string? model, HttpRequest request, RunningConfig config, CircuitBoard circuits,
        Func<ProbeCircuit, Task> change)
    {
        if (AdminAuthorization.Refusal(request, config) is { } refusal) return refusal;
        var configured = config.Current.Targets.FirstOrDefault(t => t.Name == target);
        if (configured is null)
            return AdminAuthorization.Problem(StatusCodes.Status404NotFound, $"unknown target '{target}'; configured targets: {string.Join(", ", config.Current.Targets.Select(t => t.Name))}");
        if (model is not null && !configured.Models.Contains(model))
            return AdminAuthorization.Problem(StatusCodes.Status404NotFound, $"unknown model '{model}' for target '{target}'; configured models: {string.Join(", ", configured.Models)}");
        var circuit = circuits.For(new CircuitKey(target, model));
        await change(circuit);
        return Results.Json(new CircuitResponse(target, model, circuit.State.Label()), ExporterJson.Default.CircuitResponse);
    }
}
