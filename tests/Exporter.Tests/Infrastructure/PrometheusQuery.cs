using System.Globalization;
using System.Text.Json;

namespace RelayExporter.Tests.Infrastructure;

/// <summary>One sample of an instant-vector query result.</summary>
public sealed record VectorSample(IReadOnlyDictionary<string, string> Labels, DateTimeOffset Timestamp, double Value)
{
    /// <summary>The value of label <paramref name="name"/>, or null.</summary>
    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;

    /// <inheritdoc />
    public override string ToString() =>
        "{" + string.Join(", ", Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\"")) + "} "
        + Value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Prometheus's HTTP query API and number format, shared by every test that talks to a real Prometheus.</summary>
public static class PrometheusQuery
{
    /// <summary>Runs an instant query; throws with Prometheus's error if the query fails or the result is not a vector.</summary>
    public static async Task<IReadOnlyList<VectorSample>> InstantAsync(HttpClient http, string promql, CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync("api/v1/query?query=" + Uri.EscapeDataString(promql), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (!response.IsSuccessStatusCode || root.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"Query '{promql}' failed with HTTP {(int)response.StatusCode}: {body}");
        }

        var data = root.GetProperty("data");
        var resultType = data.GetProperty("resultType").GetString();
        if (resultType != "vector")
        {
            throw new InvalidOperationException($"Query '{promql}' returned a {resultType}, not a vector: {body}");
        }

        return data.GetProperty("result").EnumerateArray().Select(item =>
        {
            var value = item.GetProperty("value");
            return new VectorSample(
                item.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty),
                DateTimeOffset.FromUnixTimeMilliseconds((long)(value[0].GetDouble() * 1000)),
                ParseNumber(value[1].GetString()!));
        }).ToList();
    }

    /// <summary>A sample value as Prometheus writes it: a float, <c>+Inf</c>, <c>-Inf</c> or <c>NaN</c>.</summary>
    public static double ParseNumber(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, CultureInfo.InvariantCulture),
    };
}
