using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace RelayExporter.Simulator;

/// <summary>Writes a <see cref="SimResponse"/>, applying the faults that change how a body or stream is delivered.</summary>
internal static class ResponseWriter
{
    public static async Task WriteAsync(HttpContext context, SimResponse response, Fault? fault, CancellationToken ct)
    {
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers) context.Response.Headers[name] = value;
        if (response is StreamResponse stream)
            await WriteStreamAsync(context, stream, fault, ct);
        else
            await WriteBodyAsync(context, (BodyResponse)response, fault, ct);
    }

    /// <summary>Aborts the connection with a TCP RST rather than a FIN.</summary>
    public static void Reset(HttpContext context)
    {
        if (context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
            socket.LingerState = new LingerOption(true, 0);
        context.Abort();
    }

    private static async Task WriteBodyAsync(HttpContext context, BodyResponse response, Fault? fault, CancellationToken ct)
    {
        context.Response.ContentType = response.ContentType;
        context.Response.ContentLength = response.Body.Length;
        if (fault is not (StreamCutFault or StreamHangFault))
        {
            await context.Response.Body.WriteAsync(response.Body, ct);
            return;
        }
        await context.Response.Body.WriteAsync(response.Body.AsMemory(0, response.Body.Length / 2), ct);
        await context.Response.Body.FlushAsync(ct);
        if (fault is StreamHangFault)
        {
            await HangAsync(ct);
            context.Abort();
        }
        // A cut returns early: Kestrel then closes the connection short of Content-Length (see WriteStreamAsync).
    }

    private static async Task WriteStreamAsync(HttpContext context, StreamResponse response, Fault? fault, CancellationToken ct)
    {
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        // An abort may drop frames Kestrel has not yet handed to the socket, so a cut instead announces the whole
        // stream's length and stops writing: Kestrel then closes the connection (FIN) after the frames already sent.
        if (fault is StreamCutFault)
            context.Response.ContentLength = response.Frames.Sum(f => Encoding.UTF8.GetByteCount(f.Text));
        await context.Response.StartAsync(ct);
        await context.Response.Body.FlushAsync(ct);

        var dataFrames = response.Frames.Count(f => f.IsData);
        // Cut and hang always stop before the last frame, so the stream never ends properly.
        int? stopAt = fault switch
        {
            StreamCutFault cut => Math.Min(cut.AfterChunks, dataFrames - 1),
            StreamHangFault hang => Math.Min(hang.AfterChunks, dataFrames - 1),
            StreamErrorFault => dataFrames / 2,
            _ => null,
        };
        var tokenDelay = fault is SlowFault slow ? slow.TokenDelayMs : 0;
        var sent = 0;
        for (var i = 0; i < response.Frames.Count; i++)
        {
            var frame = response.Frames[i];
            if (frame.IsData && sent == stopAt)
            {
                switch (fault)
                {
                    case StreamErrorFault:
                        await WriteFrameAsync(context, response.ErrorFrame, ct);
                        return;
                    case StreamHangFault:
                        await HangAsync(ct);
                        context.Abort();
                        return;
                    default:
                        return;
                }
            }
            if (tokenDelay > 0 && i > 0) await Task.Delay(tokenDelay, ct);
            await WriteFrameAsync(context, frame, ct);
            if (frame.IsData) sent++;
        }
    }

    private static async Task WriteFrameAsync(HttpContext context, SseFrame frame, CancellationToken ct)
    {
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame.Text), ct);
        await context.Response.Body.FlushAsync(ct);
    }

    /// <summary>Sends nothing more until the client goes away or the target stops.</summary>
    private static async Task HangAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
