using System.Security.Cryptography;
using System.Text;
using RelayExporter.Configuration;
using RelayExporter.Hosting;

namespace RelayExporter.Operations;

/// <summary>
/// Admin calls (reload, circuit override) and on-demand probes that cost money need the bearer token named by
/// <c>admin.token</c>. Without a configured token they are refused outright, so that no exporter can be reconfigured,
/// or made to spend, by whoever reaches its port.
/// </summary>
public static class AdminAuthorization
{
    /// <param name="calls">What is refused without a configured token, for the message.</param>
    /// <returns>Null when the caller may proceed; otherwise the response that refuses it.</returns>
    public static IResult? Refusal(HttpRequest request, RunningConfig config, string calls = "admin calls")
    {
        if (config.Current.Admin.Token?.Resolve() is not { } token)
            return Problem(StatusCodes.Status403Forbidden,
                $"{calls} are disabled: set admin.token in the configuration (an environment variable or a file holding the bearer token)");
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Challenge("this admin call needs an Authorization: Bearer <token> header");
        var presented = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(token.Reveal()))
            ? null
            : Challenge("the bearer token is not the configured admin token");
    }

    private static IResult Challenge(string message) => new ChallengeResult(message);

    public static IResult Problem(int status, string message) => Results.Json(new ErrorResponse(message), ExporterJson.Default.ErrorResponse, statusCode: status);

    private sealed class ChallengeResult(string message) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"relay-exporter\"";
            return Problem(StatusCodes.Status401Unauthorized, message).ExecuteAsync(context);
        }
    }
}
