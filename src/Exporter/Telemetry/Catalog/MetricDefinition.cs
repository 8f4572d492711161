using System.Diagnostics.Metrics;
using System.Numerics;

namespace RelayExporter.Telemetry.Catalog;

/// <summary>What a metric is, as OpenTelemetry records it and as Prometheus reads it.</summary>
internal enum MetricKind
{
    Counter,
    Gauge,
    /// <summary>A gauge with one series per state, 1 for the current one and 0 for the others.</summary>
    StateSet,
    /// <summary>A sum that goes up and down: a gauge in Prometheus.</summary>
    UpDownCounter,
    Histogram,
}

/// <summary>A label (an attribute over OTLP) of a metric; an optional one is absent from some of its series.</summary>
internal readonly record struct MetricLabel(string Name, bool Optional = false)
{
    /// <summary>The Prometheus label name: OpenTelemetry attribute names with dots become underscores.</summary>
    public string PrometheusName => Name.Replace('.', '_');

    public static implicit operator MetricLabel(string name) => new(name);
}

/// <summary>
/// One metric of the <see cref="MetricCatalog"/>: everything about it that is not recording code. The instruments are
/// created from it (<see cref="Counter{T}"/>, <see cref="Histogram{T}"/>…, each refusing a definition of another kind),
/// the cardinality limits read <see cref="Series"/>, /probe its Prometheus name, kind and help, and a test holds
/// docs/metrics.md to it.
/// </summary>
internal sealed class MetricDefinition
{
    /// <summary>The OpenTelemetry instrument name (over OTLP as it is; Prometheus derives <see cref="PrometheusName"/> from it).</summary>
    public required string Name { get; init; }

    public required MetricKind Kind { get; init; }

    /// <summary>The UCUM unit, or null for a plain count or ratio.</summary>
    public string? Unit { get; init; }

    /// <summary>
    /// The instrument's description, Prometheus' HELP; null only for an instrument of the runtime or the process
    /// instrumentation (<see cref="SourceMeter"/>), which brings its own.
    /// </summary>
    public required string? Help { get; init; }

    /// <summary>The labels in the order docs/metrics.md lists them.</summary>
    public required IReadOnlyList<MetricLabel> Labels { get; init; }

    /// <summary>Series the configured fleet is expected to need; 0 for the exporter's own few.</summary>
    public required Func<FleetSize, int> Series { get; init; }

    /// <summary>True when the configuration cannot predict the label values (an upstream or an outcome chooses them): <see cref="OpenEndedSeries"/> counts them.</summary>
    public bool OpenEnded { get; init; }

    /// <summary>Series the metric never grows beyond, however many it holds; null for no ceiling.</summary>
    public Func<FleetSize, int>? Ceiling { get; init; }

    /// <summary>Explicit histogram bucket boundaries (histograms only).</summary>
    public IReadOnlyList<double>? Buckets { get; init; }

    /// <summary>True for the GenAI instruments, which exist only with <c>metrics.gen_ai</c>.</summary>
    public bool GenAi { get; init; }

    /// <summary>
    /// For an instrument the runtime or the process instrumentation creates: its meter, and the name it has there
    /// (<see cref="Name"/> is the one it is exported under). Null for the exporter's own.
    /// </summary>
    public (string Meter, string Instrument)? Source { get; init; }

    /// <summary>The name Prometheus shows: dots as underscores, the unit's suffix for seconds and bytes, <c>_total</c> for a counter.</summary>
    public string PrometheusName =>
        Name.Replace('.', '_') + PrometheusUnit switch { "" => "", var unit => "_" + unit } + (Kind == MetricKind.Counter ? "_total" : "");

    /// <summary>The Prometheus unit of <see cref="Unit"/>: seconds, bytes, or none (OpenTelemetry drops a unit in braces and 1).</summary>
    public string PrometheusUnit => Unit switch
    {
        "s" => "seconds",
        "By" => "bytes",
        _ => "",
    };

    /// <summary>The Prometheus TYPE.</summary>
    public string PrometheusType => Kind switch
    {
        MetricKind.Counter => "counter",
        MetricKind.Histogram => "histogram",
        _ => "gauge",
    };

    public Counter<T> Counter<T>(Meter meter) where T : struct =>
        meter.CreateCounter<T>(Of(MetricKind.Counter), Unit, Help);

    public UpDownCounter<T> UpDownCounter<T>(Meter meter) where T : struct =>
        meter.CreateUpDownCounter<T>(Of(MetricKind.UpDownCounter), Unit, Help);

    public Gauge<T> Gauge<T>(Meter meter) where T : struct =>
        meter.CreateGauge<T>(Of(MetricKind.Gauge, MetricKind.StateSet), Unit, Help);

    public Histogram<T> Histogram<T>(Meter meter) where T : struct, INumber<T> =>
        meter.CreateHistogram(Of(MetricKind.Histogram), Unit, Help, tags: null,
            advice: new InstrumentAdvice<T> { HistogramBucketBoundaries = Buckets?.Select(T.CreateChecked).ToArray() });

    public ObservableGauge<T> ObservableGauge<T>(Meter meter, Func<IEnumerable<Measurement<T>>> observe) where T : struct =>
        meter.CreateObservableGauge(Of(MetricKind.Gauge), observe, Unit, Help);

    public ObservableGauge<T> ObservableGauge<T>(Meter meter, Func<Measurement<T>> observe) where T : struct =>
        meter.CreateObservableGauge(Of(MetricKind.Gauge), observe, Unit, Help);

    public ObservableGauge<T> ObservableGauge<T>(Meter meter, Func<T> observe) where T : struct =>
        meter.CreateObservableGauge(Of(MetricKind.Gauge), observe, Unit, Help);

    public ObservableUpDownCounter<T> ObservableUpDownCounter<T>(Meter meter, Func<T> observe) where T : struct =>
        meter.CreateObservableUpDownCounter(Of(MetricKind.UpDownCounter), observe, Unit, Help);

    public override string ToString() => Name;

    // An instrument of another kind than the catalog says would publish what docs/metrics.md and /probe contradict.
    private string Of(params MetricKind[] kinds) => kinds.Contains(Kind)
        ? Name
        : throw new InvalidOperationException($"{Name} is a {Kind} in the metric catalog, not a {kinds[0]}.");
}
