using RelayExporter.Configuration;
using RelayExporter.Web;

namespace RelayExporter.Circuits;

public static class CircuitEndpoints
{
    /// <summary>
    /// The operator's runbook override: isolate circuits (no probes, no routing) or close them by hand. Without
    /// <c>scope</c> or <c>model</c> it applies to every circuit of the target; <c>scope</c> narrows it to the target's
    /// reachability or api circuit, or to its model circuits, and <c>model</c> to one model's circuit.
    /// </summary>
    public static IEndpointRouteBuilder MapCircuitEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/circuits/{target}/isolate", (string target, string? scope, string? model, HttpRequest request, RunningConfig config, CircuitBoard circuits) =>
            OverrideAsync(target, scope, model, request, config, circuits, circuit => circuit.IsolateAsync()));
        endpoints.MapPost("/api/v1/circuits/{target}/close", (string target, string? scope, string? model, HttpRequest request, RunningConfig config, CircuitBoard circuits) =>
            OverrideAsync(target, scope, model, request, config, circuits, circuit => circuit.CloseAsync()));
        return endpoints;
    }

    private static async Task<IResult> OverrideAsync(string target, string? scope, string? model, HttpRequest request, RunningConfig config, CircuitBoard circuits,
        Func<ProbeCircuit, Task> change)
    {
        if (AdminAuthorization.Refusal(request, config) is { } refusal) return refusal;
        var configured = config.Current.Targets.FirstOrDefault(t => t.Name == target);
        if (configured is null)
            return AdminAuthorization.Problem(StatusCodes.Status404NotFound, $"unknown target '{target}'; configured targets: {string.Join(", ", config.Current.Targets.Select(t => t.Name))}");
        CircuitScope? wanted = null;
        if (scope is not null && (wanted = CircuitStateLabels.ParseScope(scope)) is null)
            return AdminAuthorization.Problem(StatusCodes.Status400BadRequest,
                $"unknown scope '{scope}'; scopes: {string.Join(", ", CircuitStateLabels.Scopes.Select(s => s.Label()))}");
        if (model is not null && wanted is not (null or CircuitScope.Model))
            return AdminAuthorization.Problem(StatusCodes.Status400BadRequest, $"a model names a circuit of scope model, not {scope}");
        if (model is not null && !configured.Models.Contains(model))
            return AdminAuthorization.Problem(StatusCodes.Status404NotFound, $"unknown model '{model}' for target '{target}'; configured models: {string.Join(", ", configured.Models)}");

        var chosen = CircuitKey.AllOf(configured).Where(k => (wanted is null || k.Scope == wanted) && (model is null || k.Model == model)).ToList();
        var changed = new List<CircuitOverridden>();
        foreach (var key in chosen)
        {
            var circuit = circuits.For(key);
            await change(circuit);
            changed.Add(new CircuitOverridden(key.Scope.Label(), key.Model, circuit.State.Label()));
        }
        return Results.Json(new CircuitResponse(target, changed), CircuitsJson.Default.CircuitResponse);
    }
}
