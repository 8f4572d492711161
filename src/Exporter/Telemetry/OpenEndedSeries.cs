using Polly.CircuitBreaker;
using RelayExporter.Circuits;
using RelayExporter.Probing;
using RelayExporter.Outcomes;

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

    /// <summary>The instruments counted here: the names <see cref="Counts"/> reports, so the two cannot drift apart.</summary>
    public static readonly IReadOnlySet<string> Instruments = new OpenEndedSeries().Counts().Keys.ToHashSet(StringComparer.Ordinal);

    /// <summary>Series per instrument now.</summary>
    public IReadOnlyDictionary<string, int> Counts()
    {
        using var _ = _gate.EnterScope();
        return new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["relay_probes"] = _outcomes.Count,
            ["relay_probes_skipped"] = _skips.Count,
            ["relay_circuit_transitions"] = _transitions.Count,
            ["relay_rate_limit_remaining"] = _rateLimits.Count,
            ["relay_upstream_available"] = _providers.Count,
            ["relay_upstream_latency"] = _providers.Count,
            ["gen_ai.client.operation.duration"] = _genAiOperations.Count,
            ["gen_ai.client.token.usage"] = _genAiAnswers.Count * 2,
            ["gen_ai.client.operation.time_to_first_chunk"] = _genAiStreams.Count,
            ["gen_ai.client.operation.time_per_output_chunk"] = _genAiStreams.Count,
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
