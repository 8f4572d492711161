using System.Text.Json.Nodes;
using RelayExporter.Observability.Tests.Infrastructure;

namespace RelayExporter.Observability.Tests;

/// <summary>The Grafana dashboards in dashboards/, read as JSON.</summary>
public static class Dashboards
{
    public static IReadOnlyList<string> Files() =>
        Directory.GetFiles(RepositoryPaths.File("dashboards"), "*.json").Select(Path.GetFileName).OfType<string>()
            .OrderBy(f => f, StringComparer.Ordinal).ToList();

    public static JsonObject Load(string file) => JsonNode.Parse(File.ReadAllText(RepositoryPaths.File("dashboards", file)))!.AsObject();

    /// <summary>Every panel, including those inside rows.</summary>
    public static IEnumerable<JsonObject> Panels(JsonObject dashboard) =>
        (dashboard["panels"]?.AsArray() ?? []).OfType<JsonObject>()
            .SelectMany(p => p["type"]?.GetValue<string>() == "row" ? (p["panels"]?.AsArray() ?? []).OfType<JsonObject>() : [p]);

    public static IEnumerable<JsonObject> Variables(JsonObject dashboard) =>
        (dashboard["templating"]?["list"]?.AsArray() ?? []).OfType<JsonObject>();

    /// <summary>The query of a query variable (Grafana stores a string, or an object with a query field).</summary>
    public static string? VariableQuery(JsonObject variable) => variable["query"] switch
    {
        JsonValue value => value.GetValue<string>(),
        JsonObject obj => obj["query"]?.GetValue<string>(),
        _ => null,
    };

    public static IEnumerable<string> Expressions(JsonObject panel) =>
        (panel["targets"]?.AsArray() ?? []).OfType<JsonObject>().Select(t => t["expr"]?.GetValue<string>() ?? string.Empty);

    /// <summary>
    /// The query as Grafana would send it: <c>$__rate_interval</c> becomes <paramref name="rateInterval"/>; a variable with
    /// "All" becomes its allValue (what Grafana sends when All is selected); a single-value variable becomes the value given.
    /// </summary>
    public static string Substitute(string expr, JsonObject dashboard, string rateInterval, IReadOnlyDictionary<string, string> singleValues)
    {
        var result = expr.Replace("$__rate_interval", rateInterval, StringComparison.Ordinal);
        foreach (var variable in Variables(dashboard).Where(v => v["type"]?.GetValue<string>() == "query"))
        {
            var name = variable["name"]!.GetValue<string>();
            var value = variable["includeAll"]?.GetValue<bool>() == true
                ? variable["allValue"]?.GetValue<string>() ?? ".*"
                : singleValues[name];
            result = result.Replace("${" + name + "}", value, StringComparison.Ordinal).Replace("$" + name, value, StringComparison.Ordinal);
        }

        return result;
    }
}
