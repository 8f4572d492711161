using System.Diagnostics;
using System.Diagnostics.Metrics;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Outcomes;
using RelayExporter.Telemetry.Catalog;

namespace RelayExporter.Telemetry;

/// <summary>
/// Chat and stream probes recorded with the client instruments of the OpenTelemetry GenAI semantic conventions, as
/// docs/metrics.md pins them (version, names, units, attributes and bucket boundaries, in the <see cref="MetricCatalog"/>):
/// each probe sent is one operation.
/// </summary>
internal sealed class GenAiInstruments
{
    private readonly Histogram<double> _duration;
    private readonly Histogram<long> _tokens;
    private readonly Histogram<double> _timeToFirstChunk;
    private readonly Histogram<double> _timePerOutputChunk;
    private readonly OpenEndedSeries _openEnded;

    public GenAiInstruments(Meter meter, OpenEndedSeries openEnded)
    {
        _openEnded = openEnded;
        _duration = MetricCatalog.GenAiOperationDuration.Histogram<double>(meter);
        _tokens = MetricCatalog.GenAiTokenUsage.Histogram<long>(meter);
        _timeToFirstChunk = MetricCatalog.GenAiTimeToFirstChunk.Histogram<double>(meter);
        _timePerOutputChunk = MetricCatalog.GenAiTimePerOutputChunk.Histogram<double>(meter);
    }

    public void Record(ProbeResult result, TargetOptions target)
    {
        // Only chat and stream probes have a model; a probe the circuit did not send was no operation.
        if (result.Key.Model is not { } model || !result.Outcome.WasSent()) return;

        var system = GenAiSystem.Of(target);
        var server = target.BaseUri;
        var generation = result.Generation;
        var tags = new TagList
        {
            { "gen_ai.operation.name", system.OperationName },
            { "gen_ai.provider.name", system.ProviderName },
            { "gen_ai.request.model", model },
        };
        if (generation?.ResponseModel is { } responseModel) tags.Add("gen_ai.response.model", responseModel);
        tags.Add("server.address", server.Host);
        tags.Add("server.port", server.Port);

        // The conventions define error.type on the duration only: a failed operation is one series per outcome there.
        var errorType = result.Succeeded ? null : result.Outcome.Label();
        _duration.Record(result.Duration.TotalSeconds, errorType is null ? tags : tags.With("error.type", errorType));
        _openEnded.GenAiOperation(result.Key.Target, model, generation?.ResponseModel, errorType);
        if (generation is null) return;

        _openEnded.GenAiAnswer(result.Key.Target, model, generation.ResponseModel, streamed: generation.TimeToFirstToken is not null);

        if (generation.Usage?.InputTokens is { } input) _tokens.Record(input, tags.With("gen_ai.token.type", "input"));
        if (generation.Usage?.OutputTokens is { } output) _tokens.Record(output, tags.With("gen_ai.token.type", "output"));
        if (generation.TimeToFirstToken is { } first) _timeToFirstChunk.Record(first.TotalSeconds, tags);
        foreach (var gap in generation.ChunkGaps) _timePerOutputChunk.Record(gap.TotalSeconds, tags);
    }
}
