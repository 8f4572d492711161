using System.Buffers;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace RelayExporter.Telemetry.Prometheus;

/// <summary>
/// Serves one scrape: negotiates the format (400 on a malformed Accept), collects through the exporter (500 and a log
/// line if that fails), renders, gzips when allowed, and writes (headers only for HEAD).
/// </summary>
internal sealed partial class PrometheusScrapeHandler(PrometheusScrapeExporter exporter, ILogger logger)
{
    // Largest buffers kept between scrapes; a body bigger than this is rendered into a buffer that is then dropped.
    private const int MaxRetainedBytes = 256 * 1024 * 1024;

    // One set of render buffers kept for the next scrape (concurrent scrapes beyond the first use their own).
    private ScrapeBuffers? spare;

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (!PrometheusContentNegotiator.TryNegotiate(request.Headers.Accept.ToString(), out var format, out var error))
        {
            LogBadAccept(logger, error!);
            await WritePlainTextAsync(response, StatusCodes.Status400BadRequest, error!, context.RequestAborted);
            return;
        }

        var buffers = Interlocked.Exchange(ref spare, null) ?? new ScrapeBuffers();
        try
        {
            await RenderAndWriteAsync(context, format, buffers);
        }
        finally
        {
            if (buffers.Text.Capacity <= MaxRetainedBytes && buffers.Gzip.Capacity <= MaxRetainedBytes)
            {
                buffers.Reset();
                Volatile.Write(ref spare, buffers);
            }
        }
    }

    private async Task RenderAndWriteAsync(HttpContext context, PrometheusFormat format, ScrapeBuffers buffers)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            var snapshot = await exporter.ScrapeAsync(context.RequestAborted);
            PrometheusSerializer.Write(snapshot, format, exporter.Options.IncludeScopeLabels, buffers.Text);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the scraper went away; the shared collection carries on for the others
        }
        catch (Exception ex)
        {
            LogCollectionFailed(logger, ex, request.Path);
            await WritePlainTextAsync(response, StatusCodes.Status500InternalServerError,
                "Metrics collection failed; see the exporter log for details.", context.RequestAborted);
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = PrometheusContentTypes.Of(format);
        response.Headers.Vary = "Accept, Accept-Encoding";
        response.Headers.CacheControl = "no-store";
        ReadOnlyMemory<byte> body = buffers.Text.WrittenMemory;
        if (GzipNegotiator.AllowsGzip(request.Headers.AcceptEncoding.ToString()))
        {
            body = Gzip(body, buffers.Gzip);
            response.Headers.ContentEncoding = "gzip";
        }

        response.ContentLength = body.Length;
        if (HttpMethods.IsHead(request.Method))
        {
            return;
        }

        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static ReadOnlyMemory<byte> Gzip(ReadOnlyMemory<byte> body, MemoryStream buffer)
    {
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(body.Span);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static async Task WritePlainTextAsync(HttpResponse response, int status, string message, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(message + "\n");
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, cancellationToken);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Prometheus scrape of {Path} failed: metrics collection threw")]
    private static partial void LogCollectionFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Prometheus scrape rejected: {Reason}")]
    private static partial void LogBadAccept(ILogger logger, string reason);

    /// <summary>The rendered body and its gzip copy; kept (capacity and all) for the next scrape.</summary>
    private sealed class ScrapeBuffers
    {
        public ArrayBufferWriter<byte> Text { get; } = new(64 * 1024);

        public MemoryStream Gzip { get; } = new();

        public void Reset()
        {
            Text.ResetWrittenCount();
            Gzip.SetLength(0);
        }
    }
}
