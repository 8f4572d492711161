using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace RelayExporter.Telemetry.Prometheus;

/// <summary>
/// Serves one scrape: negotiates the format (400 on a malformed Accept), collects through the exporter (500 and a log
/// line if that fails) a body rendered for it, gzipped when allowed, and writes it (headers only for HEAD).
/// </summary>
internal sealed partial class PrometheusScrapeHandler(PrometheusScrapeExporter exporter, ILogger logger)
{
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

        var gzip = GzipNegotiator.AllowsGzip(request.Headers.AcceptEncoding.ToString());
        SegmentedBuffer body;
        try
        {
            body = await exporter.ScrapeAsync(format, gzip, context.RequestAborted);
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
        if (gzip)
        {
            response.Headers.ContentEncoding = "gzip";
        }

        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(request.Method))
        {
            await body.WriteToAsync(response.BodyWriter, context.RequestAborted);
        }
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
}
