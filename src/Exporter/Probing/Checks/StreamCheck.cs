using System.Text;
using RelayExporter.Configuration;
using RelayExporter.Protocols;
using RelayExporter.Outcomes;

namespace RelayExporter.Probing.Checks;

/// <summary>
/// The chat request streamed: time to the first token (content or reasoning — not role-only frames, pings or
/// keep-alives), time per output token, and a stream that ends the way its protocol says it must. How the stream is
/// framed and what its error events mean are the protocol's.
/// </summary>
public sealed class StreamCheck : IProbeCheck
{
    public CheckKind Kind => CheckKinds.Stream;

    public async Task<CheckFindings> RunAsync(ProbeContext context, CancellationToken cancellationToken)
    {
        var exchange = context.Exchange;
        using var request = context.Protocol.CreateChatRequest(context.Target, ChatRequests.For(context, stream: true));
        using var response = await exchange.SendAsync(request, cancellationToken);
        await exchange.ThrowIfNotSuccessAsync(response, cancellationToken);
        exchange.ThrowIfHtml(response);
        var status = (int)response.StatusCode;
        var framing = context.Protocol.StreamFraming;
        if (response.Content.Headers.ContentType?.MediaType != framing.MediaType)
            throw new ProbeFailure(ProbeOutcome.InvalidResponse,
                $"HTTP {status} with Content-Type {response.Content.Headers.ContentType?.MediaType ?? "none"} instead of a {framing.MediaType}");

        var stream = new StreamState(context.Protocol);
        await using var body = framing.Open(exchange.OpenBody(await response.Content.ReadAsStreamAsync(cancellationToken)));
        try
        {
            await foreach (var (eventType, data) in body.EventsAsync(cancellationToken))
            {
                stream.Events++;
                if (stream.Read(context.Protocol.ParseStreamFrame(eventType, data), exchange.SinceSent)) break;
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new ProbeFailure(ProbeOutcome.StreamError, $"stream cut after {stream.Events} events: {e.Message}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && stream.Events == 0)
        {
            // Keep-alive comments say the connection is open, not that an answer is coming: nothing came in time.
            throw new ProbeFailure(ProbeOutcome.Timeout, $"no token within the {context.Job.Timeout.TotalSeconds:0.###}s timeout, {body.KeepAlives} keep-alives");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new ProbeFailure(ProbeOutcome.StreamError, $"stream did not finish within the {context.Job.Timeout.TotalSeconds:0.###}s timeout after {stream.Events} events");
        }
        exchange.BodyDone();

        AnsweringModel.Verify(context.Job.Model!, stream.Model);
        if (framing.Unfinished(stream.Ended, stream.FinishReason, stream.Events) is { } unfinished)
            throw new ProbeFailure(ProbeOutcome.StreamError, unfinished);

        var generation = stream.Findings() with { ResponseModel = AnsweringModel.AsLabel(stream.Model, context.Exchange.Text.Secrets) };
        return ChatRequests.Judge(context, stream.Text.ToString(), stream.FinishReason) with { Generation = generation };
    }

    private sealed class StreamState(ILlmProtocol protocol)
    {
        // A probe's answer is a few tokens; a stream of many tiny chunks must not make its kept result large.
        private const int MaxChunkGaps = 256;

        private readonly List<TimeSpan> _chunkGaps = [];
        private TimeSpan? _firstToken;
        private TimeSpan _lastToken;
        private int _tokenFrames;
        private TokenUsage? _usage;

        public int Events { get; set; }
        public StringBuilder Text { get; } = new();
        public string? FinishReason { get; private set; }
        public bool Ended { get; private set; }

        /// <summary>The first model a frame names as answering.</summary>
        public string? Model { get; private set; }

        /// <returns>True when the frame ends the stream.</returns>
        public bool Read(StreamFrame frame, TimeSpan sinceSent)
        {
            if (frame.ErrorType is { } error)
                throw new ProbeFailure(protocol.ErrorEventOutcome(frame),
                    $"error event after {Events - 1} events: {error}{(frame.ErrorCode is { } code ? $" ({code})" : "")}: {frame.ErrorMessage}");
            Model ??= frame.Model;
            if (frame.Content is not null || frame.Reasoning is not null)
            {
                if (_firstToken is not null && _chunkGaps.Count < MaxChunkGaps) _chunkGaps.Add(sinceSent - _lastToken);
                _firstToken ??= sinceSent;
                _lastToken = sinceSent;
                _tokenFrames++;
            }
            Text.Append(frame.Content);
            _usage = _usage?.MergeWith(frame.Usage) ?? frame.Usage;
            FinishReason = frame.FinishReason ?? FinishReason;
            Ended = frame.IsEnd;
            return frame.IsEnd;
        }

        public GenerationFindings Findings()
        {
            // Usage counts tokens exactly; frames are the fallback when a stream reports none. Tokens that all came
            // in one frame arrived at once: there is no time between them to measure.
            var outputTokens = _usage?.OutputTokens ?? _tokenFrames;
            TimeSpan? perToken = _firstToken is { } first && outputTokens > 1 && _tokenFrames > 1 ? (_lastToken - first) / (outputTokens - 1) : null;
            return new GenerationFindings(_usage, _firstToken, perToken) { ChunkGaps = _chunkGaps.ToArray() };
        }
    }
}
