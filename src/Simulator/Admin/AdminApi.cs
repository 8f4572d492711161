using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace RelayExporter.Simulator;

/// <summary>The JSON admin API: list targets, set and clear faults, read what each target received.</summary>
internal static class AdminApi
{
    public static WebApplication Build(IPAddress address, int port, LogLevel logLevel, IReadOnlyList<SimulatedTarget> targets)
    {
        var app = KestrelApp.CreateBuilder(address, port, logLevel).Build();
        var byName = targets.ToDictionary(t => t.Name);

        app.MapGet("/_sim/targets", () => Json(new JsonObject { ["targets"] = new JsonArray([.. targets.Select(Describe)]) }));

        app.MapPut("/_sim/faults/{target}", (string target, HttpRequest request) => SetFault(byName, target, null, request));
        app.MapPut("/_sim/faults/{target}/{model}", (string target, string model, HttpRequest request) => SetFault(byName, target, model, request));
        app.MapDelete("/_sim/faults/{target}", (string target) => ClearFault(byName, target, null));
        app.MapDelete("/_sim/faults/{target}/{model}", (string target, string model) => ClearFault(byName, target, model));
        app.MapDelete("/_sim/faults", async () =>
        {
            await Task.WhenAll(targets.Select(t => t.ClearFaultsAsync()));
            return Results.NoContent();
        });

        app.MapGet("/_sim/requests/{target}", (string target) => Find(byName, target, null, out var found) ?? Json(new JsonObject
        {
            ["target"] = target,
            ["requests"] = new JsonArray([.. found!.Requests.Snapshot().Select(r => (JsonNode)new JsonObject
            {
                ["time"] = r.Time.ToString("O"),
                ["method"] = r.Method,
                ["path"] = r.Path,
                ["model"] = r.Model,
                ["stream"] = r.Stream,
                ["auth_present"] = r.AuthPresent,
            })]),
        }));
        app.MapDelete("/_sim/requests/{target}", (string target) =>
        {
            var error = Find(byName, target, null, out var found);
            if (error is not null) return error;
            found!.Requests.Clear();
            return Results.NoContent();
        });

        app.MapFallback((HttpRequest request) =>
            Problem(404, $"no admin endpoint {request.Method} {request.Path}; see GET /_sim/targets, /_sim/faults/..., /_sim/requests/..."));
        return app;
    }

    private static async Task<IResult> SetFault(Dictionary<string, SimulatedTarget> byName, string targetName, string? model, HttpRequest request)
    {
        var error = Find(byName, targetName, model, out var target);
        if (error is not null) return error;
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body);
            body = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return Problem(400, $"the request body is not valid JSON: {e.Message}");
        }
        Fault fault;
        try
        {
            fault = FaultParser.Parse(body, target!.Definition, model);
        }
        catch (FaultValidationException e)
        {
            return Problem(400, e.Message);
        }
        await target.SetFaultAsync(model, fault);
        return Json(new JsonObject { ["target"] = targetName, ["model"] = model, ["fault"] = fault.Settings.DeepClone() });
    }

    private static async Task<IResult> ClearFault(Dictionary<string, SimulatedTarget> byName, string targetName, string? model)
    {
        var error = Find(byName, targetName, model, out var target);
        if (error is not null) return error;
        await target!.SetFaultAsync(model, null);
        return Results.NoContent();
    }

    /// <summary>Looks the target (and model) up; returns the 404 to send when either is unknown.</summary>
    private static IResult? Find(Dictionary<string, SimulatedTarget> byName, string targetName, string? model, out SimulatedTarget? target)
    {
        if (!byName.TryGetValue(targetName, out target))
            return Problem(404, $"unknown target '{targetName}'; known targets: {string.Join(", ", byName.Keys)}");
        if (model is not null && !target.Definition.Models.Contains(model))
            return Problem(404, $"target '{targetName}' has no model '{model}'; its models: {string.Join(", ", target.Definition.Models)}");
        return null;
    }

    private static JsonNode Describe(SimulatedTarget target)
    {
        var faults = new JsonArray();
        if (target.Faults.TargetFault is { } targetFault) faults.Add(WithModel(targetFault, null));
        foreach (var (model, fault) in target.Faults.ModelFaults.OrderBy(p => p.Key)) faults.Add(WithModel(fault, model));
        return new JsonObject
        {
            ["name"] = target.Name,
            ["protocol"] = target.Definition.Protocol.ToWire(),
            ["kind"] = target.Definition.Kind.ToWire(),
            ["url"] = target.Url.GetLeftPart(UriPartial.Authority),
            ["listening"] = target.IsListening,
            ["models"] = new JsonArray([.. target.Definition.Models.Select(m => (JsonNode)m)]),
            ["providers"] = new JsonArray([.. target.Definition.Providers.Select(p => (JsonNode)p)]),
            ["faults"] = faults,
        };
    }

    private static JsonObject WithModel(Fault fault, string? model)
    {
        var settings = (JsonObject)fault.Settings.DeepClone();
        settings.Insert(0, "model", model);
        return settings;
    }

    private static IResult Json(JsonNode body, int status = 200) =>
        Results.Text(body.ToJsonString(Wire.JsonOptions), "application/json", Encoding.UTF8, status);

    private static IResult Problem(int status, string message) =>
        Json(new JsonObject { ["error"] = message }, status);
}
