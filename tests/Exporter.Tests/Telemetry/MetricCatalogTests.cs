using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using RelayExporter.Telemetry;
using RelayExporter.Telemetry.Catalog;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Telemetry;

/// <summary>The metric catalog against docs/metrics.md and against the code that counts open-ended series.</summary>
public sealed partial class MetricCatalogTests
{
    [Fact]
    public async Task The_metric_reference_lists_exactly_the_catalog_s_metrics_with_their_types_units_and_labels()
    {
        var documented = DocumentedRow().Matches(await File.ReadAllTextAsync(RepositoryPaths.File("docs", "metrics.md")))
            .Select(m => $"{m.Groups[1].Value} | {m.Groups[2].Value.Trim()} | {m.Groups[3].Value.Trim()} | {m.Groups[4].Value.Trim()}")
            .ToList();
        // target_info is the OpenTelemetry resource, not an instrument.
        var cataloged = MetricCatalog.All.Select(m => $"{m.PrometheusName} | {DocumentedType(m)} | {m.PrometheusUnit} | {DocumentedLabels(m)}")
            .Append("target_info | info |  | service_name, service_version, telemetry_sdk_*")
            .ToList();

        Assert.Equal(cataloged.Order(), documented.Order());
    }

    [Fact]
    public void The_open_ended_metrics_are_the_ones_whose_series_are_counted()
    {
        var counted = new OpenEndedSeries().Counts().Keys;

        Assert.Equal(MetricCatalog.All.Where(m => m.OpenEnded).Select(m => m.Name).Order(), counted.Order());
    }

    [Fact]
    public void Histograms_and_only_histograms_have_bucket_boundaries_and_every_name_is_defined_once()
    {
        Assert.All(MetricCatalog.All, m => Assert.Equal(m.Kind == MetricKind.Histogram, m.Buckets is { Count: > 0 }));
        Assert.Equal(MetricCatalog.All.Count, MetricCatalog.All.Select(m => m.PrometheusName).Distinct().Count());
    }

    [Fact]
    public void An_instrument_of_another_kind_than_its_definition_is_refused()
    {
        using var meter = new Meter("catalog-test");

        var error = Assert.Throws<InvalidOperationException>(() => MetricCatalog.ProbeTokens.Gauge<long>(meter));

        Assert.Contains("relay_probe_tokens is a Counter", error.Message);
        Assert.Equal("relay_probe_tokens", MetricCatalog.ProbeTokens.Counter<long>(meter).Name);
    }

    private static string DocumentedType(MetricDefinition metric) => metric.Kind == MetricKind.StateSet ? "gauge (state set)" : metric.PrometheusType;

    /// <summary>As the reference writes labels: Prometheus names, an optional one in brackets, the GenAI attributes by that name.</summary>
    private static string DocumentedLabels(MetricDefinition metric)
    {
        var labels = metric.Labels.Select(l => l.Optional ? $"[{l.PrometheusName}]" : l.PrometheusName).ToList();
        if (metric.Labels.Take(MetricCatalog.GenAiAttributes.Count).SequenceEqual(MetricCatalog.GenAiAttributes))
            labels = ["GenAI attributes", .. labels.Skip(MetricCatalog.GenAiAttributes.Count)];
        return string.Join(", ", labels);
    }

    /// <summary>A row of the reference tables: | `relay_probes_total` | counter | | target, check, [model], outcome | …</summary>
    [GeneratedRegex(@"^\| `([a-z_:]+)` \|([^|]*)\|([^|]*)\|([^|]*)\|", RegexOptions.Multiline)]
    private static partial Regex DocumentedRow();
}
