using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace RelayExporter.Simulator;

/// <summary>Answers every request to one target: records it, applies the active fault, then speaks the protocol.</summary>
internal sealed class TargetHandler(SimulatedTarget target, CancellationToken stopping)
{
    private readonly IProtocol _protocol = IProtocol.For(target.Definition.Protocol);
    private readonly TargetContext _context = new(target.Definition, target.Faults.IsRemoved, target.Faults.AnsweringFor);

    public async Task HandleAsync(HttpContext context)
    {
        var arrival = Stopwatch.GetTimestamp();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var ct = cancel.Token;
        try
        {
            var request = await SimRequest.ReadAsync(context, ct);
            var model = _protocol.ModelOf(request);
            target.Requests.Add(new LoggedRequest(
                DateTimeOffset.UtcNow, request.Method, request.Path, model, _protocol.IsStream(request), _protocol.HasCredentials(request)));

            var fault = target.Faults.For(model);
            if (fault is DownFault)
            {
                ResponseWriter.Reset(context);
                return;
            }
            var delayMs = (fault is SlowFault slow ? slow.DelayMs : 0) + (model is not null ? target.Definition.AddedDelayMs : 0);
            if (delayMs > 0) await Timing.WaitUntilAsync(arrival, delayMs, ct);
            await ResponseWriter.WriteAsync(context, Respond(request, fault), fault, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            context.Abort();
        }
    }

    private SimResponse Respond(SimRequest request, Fault? fault) => fault switch
    {
        RateLimitedFault f => RateLimited(f),
        StatusFault { Overloaded: true } => _protocol.Error(ErrorKind.Overloaded),
        StatusFault f => _protocol.Error(f.Status switch
        {
            500 => ErrorKind.InternalError,
            502 => ErrorKind.BadGateway,
            _ => ErrorKind.Unavailable,
        }),
        OverloadedFault => Overloaded529(),
        // A relay's health document takes no credential, so a rejected key cannot make it fail.
        UnauthorizedFault when !IsRelayHealth(request) => _protocol.Error(ErrorKind.Unauthorized),
        GarbageFault => FaultBodies.Garbage(),
        HtmlFault => FaultBodies.Html(),
        RedirectFault f => FaultBodies.Redirect(f),
        _ => Normal(request, fault),
    };

    private SimResponse Normal(SimRequest request, Fault? fault)
    {
        if (RequirementCheck.Refusal(request, target.Definition, _protocol, IsRelayHealth(request)) is { } refusal) return refusal;
        if (IsRelayHealth(request))
            return RelayHealth.Document(target.Definition, (fault as ProviderUnavailableFault)?.Provider);
        var response = _protocol.Handle(request, _context);
        if (response.Status == 200) _protocol.AddRateLimitHeaders(response.Headers, target.RateLimits.Take(response.Tokens));
        return response;
    }

    private bool IsRelayHealth(SimRequest request) =>
        target.Definition.Kind == TargetKind.Relay && request.Method == "GET" && request.Path == RelayHealth.Path;

    private BodyResponse RateLimited(RateLimitedFault fault)
    {
        var response = _protocol.Error(ErrorKind.RateLimited);
        var retryAfter = fault.RetryAfterMs is { } ms ? TimeSpan.FromMilliseconds(ms)
            : fault.RetryAfterSeconds is { } s ? TimeSpan.FromSeconds(s)
            : TimeSpan.FromMinutes(1);
        if (fault.RetryAfterSeconds is { } seconds) response.Headers["Retry-After"] = seconds.ToString();
        if (fault.RetryAfterMs is { } millis) response.Headers["retry-after-ms"] = millis.ToString();
        _protocol.AddRateLimitHeaders(response.Headers, RateLimitSnapshot.Exhausted(retryAfter));
        return response;
    }

    /// <summary>Anthropic's 529; relays pass it through unchanged, so every protocol answers with Anthropic's body.</summary>
    private static BodyResponse Overloaded529() =>
        BodyResponse.Json(529, new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = "overloaded_error", ["message"] = "Overloaded" },
        });
}
