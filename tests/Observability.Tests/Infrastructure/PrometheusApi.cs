using System.Globalization;
using System.Text.Json;

namespace RelayExporter.Observability.Tests.Infrastructure;

/// <summary>One sample of an instant-vector query result.</summary>
public sealed record VectorSample(IReadOnlyDictionary<string, string> Labels, double Value)
{
    /// <summary>The value of label <paramref name="name"/>, or null.</summary>
    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;

    /// <inheritdoc />
    public override string ToString() =>
        "{" + string.Join(", ", Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\"")) + "} "
        + Value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>The query API of a running Prometheus.</summary>
public sealed class PrometheusApi(Uri baseAddress) : IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Runs an instant query; throws with Prometheus's error if it fails or the result is not a vector.</summary>
    public async Task<IReadOnlyList<VectorSample>> QueryAsync(string promql, CancellationToken cancellationToken = default)
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

        return data.GetProperty("result").EnumerateArray().Select(item => new VectorSample(
            item.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty),
            ParseValue(item.GetProperty("value")[1].GetString()!))).ToList();
    }

    /// <summary>Re-runs <paramref name="promql"/> until <paramref name="predicate"/> holds; the timeout message shows the last result.</summary>
    public async Task<IReadOnlyList<VectorSample>> WaitUntilAsync(
        string promql, Func<IReadOnlyList<VectorSample>, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<VectorSample> last = [];
        try
        {
            return await Eventually.GetAsync(async () =>
            {
                last = await QueryAsync(promql, cancellationToken);
                return predicate(last) ? last : null;
            }, timeout, $"'{promql}' to satisfy the condition", TimeSpan.FromMilliseconds(250), cancellationToken);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nLast result: [{string.Join("; ", last)}]", ex);
        }
    }

    /// <summary>Every metric name Prometheus holds.</summary>
    public async Task<IReadOnlySet<string>> MetricNamesAsync()
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync("api/v1/label/__name__/values"));
        return document.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public void Dispose() => http.Dispose();

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, CultureInfo.InvariantCulture),
    };
}
