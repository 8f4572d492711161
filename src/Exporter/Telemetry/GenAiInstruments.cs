using System.Diagnostics;
using System.Diagnostics.Metrics;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Outcomes;

namespace RelayExporter.Telemetry;

/// <summary>
/// Chat and stream probes recorded with the client instruments of the OpenTelemetry GenAI semantic conventions, as
/// docs/metrics.md pins them (version, names, units, attributes, bucket boundaries): each probe sent is one operation.
/// </summary>
internal sealed class GenAiInstruments
{
    // The explicit bucket boundaries the conventions advise for each instrument.
    internal static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
    internal static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    private readonly Histogram<double> _duration;
    private readonly Histogram<long> _tokens;
    private readonly Histogram<double> _timeToFirstChunk;
    private readonly Histogram<double> _timePerOutputChunk;
    private readonly OpenEndedSeries _openEnded;

    public GenAiInstruments(Meter meter, OpenEndedSeries openEnded)
    {
        _openEnded = openEnded;
        _duration = Seconds(meter, "gen_ai.client.operation.duration", "GenAI operation duration.");
        _tokens = meter.CreateHistogram("gen_ai.client.token.usage", "{token}", "Number of input and output tokens used.", tags: null,
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets });
        _timeToFirstChunk = Seconds(meter, "gen_ai.client.operation.time_to_first_chunk",
            "Time to receive the first chunk, from issuing the generation request to the first chunk of the response stream.");
        _timePerOutputChunk = Seconds(meter, "gen_ai.client.operation.time_per_output_chunk",
            "Time per output chunk: for each chunk after the first, the time from the end of the previous chunk to the end of this one.");
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

    private static Histogram<double> Seconds(Meter meter, string name, string description) =>
        meter.CreateHistogram(name, "s", description, tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
}
