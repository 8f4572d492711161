using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace RelayExporter.Web;

/// <summary>
/// Lets in only the users of <c>basic_auth_users</c>, on every path. bcrypt is slow by design (tens of milliseconds at
/// cost 10), so a password that verified is remembered — as an HMAC under a key of this process, never as itself — and
/// the next request with it costs a hash, not a bcrypt: a scrape every 15 s does not pay bcrypt each time. A wrong
/// password or an unknown user always pays one bcrypt verification, so neither answers faster than the other.
/// </summary>
public sealed class BasicAuthentication
{
    private const string Challenge = "Basic realm=\"relay-exporter\", charset=\"UTF-8\"";
    // Verified against when the user is unknown, so an unknown user takes as long as a wrong password.
    private static readonly string UnknownUserHash = BCrypt.Net.BCrypt.HashPassword("relay-exporter: no such user", 10);

    private readonly Dictionary<string, string> _users;
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, byte[]> _verified = new(StringComparer.Ordinal);

    public BasicAuthentication(IReadOnlyDictionary<string, string> users) => _users = new Dictionary<string, string>(users, StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (Credentials(context.Request.Headers.Authorization.ToString()) is var (user, password) && Verify(user, password))
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = Challenge;
        await context.Response.WriteAsync("Unauthorized\n");
    }

    private bool Verify(string user, string password)
    {
        var digest = HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes($"{user}\0{password}"));
        if (_verified.TryGetValue(user, out var remembered) && CryptographicOperations.FixedTimeEquals(remembered, digest)) return true;

        var exists = _users.TryGetValue(user, out var hash);
        var verified = BCrypt.Net.BCrypt.Verify(password, exists ? hash : UnknownUserHash) && exists;
        if (verified) _verified[user] = digest;
        return verified;
    }

    private static (string User, string Password)? Credentials(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':');
            return colon < 0 ? null : (decoded[..colon], decoded[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
