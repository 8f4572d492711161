using System.Text.Json;

namespace RelayExporter.Observability.Tests.Infrastructure;

/// <summary>The query API of a running Prometheus.</summary>
public sealed class PrometheusApi(Uri baseAddress) : IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Runs an instant query; throws with Prometheus's error if it fails or the result is not a vector.</summary>
    public Task<IReadOnlyList<VectorSample>> QueryAsync(string promql, CancellationToken cancellationToken = default) =>
        PrometheusQuery.InstantAsync(http, promql, cancellationToken);

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
}
