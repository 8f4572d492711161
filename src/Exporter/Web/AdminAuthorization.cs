using System.Security.Cryptography;
using System.Text;
using RelayExporter.Configuration;

namespace RelayExporter.Web;

/// <summary>
/// Admin calls (reload, circuit override) and on-demand probes that cost money need the token named by
/// <c>admin.token</c>, as <c>Authorization: Bearer</c> or, where <c>Authorization</c> carries basic auth (the web
/// configuration's users), as <c>X-Admin-Token</c>. Without a configured token they are refused outright, so that no
/// exporter can be reconfigured, or made to spend, by whoever reaches its port.
/// </summary>
public static class AdminAuthorization
{
    public const string TokenHeader = "X-Admin-Token";

    /// <param name="calls">What is refused without a configured token, for the message.</param>
    /// <returns>Null when the caller may proceed; otherwise the response that refuses it.</returns>
    public static IResult? Refusal(HttpRequest request, RunningConfig config, string calls = "admin calls")
    {
        if (config.Current.Admin.Token?.Value is not { } token)
            return Problem(StatusCodes.Status403Forbidden,
                $"{calls} are disabled: set admin.token in the configuration (an environment variable or a file holding the bearer token)");
        if (Presented(request) is not { } presented)
            return Challenge($"this admin call needs an Authorization: Bearer <token> or an {TokenHeader}: <token> header");
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(token.Reveal()))
            ? null
            : Challenge("the token is not the configured admin token");
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers[TokenHeader].ToString() is { Length: > 0 } token) return token.Trim();
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private static ChallengeResult Challenge(string message) => new ChallengeResult(message);

    public static IResult Problem(int status, string message) => Results.Json(new ErrorResponse(message), WebJson.Default.ErrorResponse, statusCode: status);

    private sealed class ChallengeResult(string message) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"relay-exporter\"";
            return Problem(StatusCodes.Status401Unauthorized, message).ExecuteAsync(context);
        }
    }
}
