using Polly.CircuitBreaker;
using RelayExporter.Circuits;
using RelayExporter.Probing;
using RelayExporter.Outcomes;
using RelayExporter.Telemetry.Catalog;

namespace RelayExporter.Telemetry;

/// <summary>
/// The series of the instruments whose label values the configuration cannot predict: outcomes, skip reasons, circuit
/// transitions, rate limits, relay-reported providers, and the GenAI error types and response models. OpenTelemetry allocates every stream's points up front, so
/// these instruments start with limits sized for a fleet that behaves (<see cref="CardinalityLimits"/>), and this count
/// tells <see cref="ExporterMetrics"/> when the fleet needs more, before the SDK folds series into its overflow series.
/// </summary>
internal sealed class OpenEndedSeries
{
    private readonly Lock _gate = new();
    private readonly HashSet<(ProbeKey, ProbeOutcome)> _outcomes = [];
    private readonly HashSet<(ProbeKey, string)> _skips = [];
    private readonly HashSet<(CircuitKey, CircuitState)> _transitions = [];
    private readonly HashSet<(string, string)> _rateLimits = [];
    // Every provider seen since the instruments started: the SDK keeps a point for each, even one a relay stopped listing.
    private readonly HashSet<(string, string)> _providers = [];
    private readonly HashSet<(string, string, string?, string?)> _genAiOperations = [];
    private readonly HashSet<(string, string, string?)> _genAiAnswers = [];
    private readonly HashSet<(string, string, string?)> _genAiStreams = [];

    public void Outcome(ProbeKey key, ProbeOutcome outcome) => Add(_outcomes, (key, outcome));

    public void Skip(ProbeKey key, string reason) => Add(_skips, (key, reason));

    public void Transition(CircuitKey key, CircuitState to) => Add(_transitions, (key, to));

    public void RateLimit(string target, string limit) => Add(_rateLimits, (target, limit));

    public void Provider(string target, string provider) => Add(_providers, (target, provider));

    public void GenAiOperation(string target, string model, string? responseModel, string? errorType) =>
        Add(_genAiOperations, (target, model, responseModel, errorType));

    /// <summary>An operation that got an answer (tokens), <paramref name="streamed"/> (chunk timings) or not.</summary>
    public void GenAiAnswer(string target, string model, string? responseModel, bool streamed)
    {
        Add(_genAiAnswers, (target, model, responseModel));
        if (streamed) Add(_genAiStreams, (target, model, responseModel));
    }

    /// <summary>Series per instrument now: every instrument the catalog marks open-ended (a test holds the two together).</summary>
    public IReadOnlyDictionary<string, int> Counts()
    {
        using var _ = _gate.EnterScope();
        return new Dictionary<string, int>(StringComparer.Ordinal)
        {
            [MetricCatalog.Probes.Name] = _outcomes.Count,
            [MetricCatalog.ProbesSkipped.Name] = _skips.Count,
            [MetricCatalog.CircuitTransitions.Name] = _transitions.Count,
            [MetricCatalog.RateLimitRemaining.Name] = _rateLimits.Count,
            [MetricCatalog.UpstreamAvailable.Name] = _providers.Count,
            [MetricCatalog.UpstreamLatency.Name] = _providers.Count,
            [MetricCatalog.GenAiOperationDuration.Name] = _genAiOperations.Count,
            [MetricCatalog.GenAiTokenUsage.Name] = _genAiAnswers.Count * 2,
            [MetricCatalog.GenAiTimeToFirstChunk.Name] = _genAiStreams.Count,
            [MetricCatalog.GenAiTimePerOutputChunk.Name] = _genAiStreams.Count,
        };
    }

    private void Add<T>(HashSet<T> series, T labels)
    {
        using var _ = _gate.EnterScope();
        series.Add(labels);
    }

    /// <summary>Forgets every series: fresh instruments start empty, and the latest values recorded again are counted again.</summary>
    public void Clear()
    {
        using var _ = _gate.EnterScope();
        _outcomes.Clear();
        _skips.Clear();
        _transitions.Clear();
        _rateLimits.Clear();
        _providers.Clear();
        _genAiOperations.Clear();
        _genAiAnswers.Clear();
        _genAiStreams.Clear();
    }
}
