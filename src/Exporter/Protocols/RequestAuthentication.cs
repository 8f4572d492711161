using System.Net.Http.Headers;
using System.Text;
using RelayExporter.Configuration;

namespace RelayExporter.Protocols;

/// <summary>
/// Puts a target's credential on a request that is otherwise complete — method, URL, headers and body — just before it
/// is sent: a key in a header or in the query string, or a signature computed over the finished request.
/// Whatever it adds is built from a secret of the configuration, which the probe's redactor knows.
/// </summary>
public interface IRequestAuthenticator
{
    ValueTask AuthenticateAsync(HttpRequestMessage request, CancellationToken cancellationToken);
}

/// <summary>The target's key where its credential says, else where its protocol puts it (<see cref="ProtocolDescription.DefaultCredentialHeader"/>).</summary>
public static class KeyPlacement
{
    public static IRequestAuthenticator For(TargetOptions target) =>
        target.Credential?.Value is not { } key ? Unauthenticated
        : target.Credential.Query is { } parameter ? new InQuery(parameter, key)
        : new InHeader(target.CredentialHeader!, key);

    /// <summary>Sends the request as it is: a target without a credential.</summary>
    public static readonly IRequestAuthenticator Unauthenticated = new None();

    private sealed class None : IRequestAuthenticator
    {
        public ValueTask AuthenticateAsync(HttpRequestMessage request, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    /// <summary><c>Authorization</c> carries the key as a <c>Bearer</c> token; any other header carries it as it is.</summary>
    private sealed class InHeader(string header, Secret key) : IRequestAuthenticator
    {
        public ValueTask AuthenticateAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (string.Equals(header, RequestHeaders.Authorization, StringComparison.OrdinalIgnoreCase))
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Reveal());
            else
                request.Headers.TryAddWithoutValidation(header, key.Reveal());
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The key as the last query parameter (Gemini's <c>key</c>).</summary>
    private sealed class InQuery(string parameter, Secret key) : IRequestAuthenticator
    {
        public ValueTask AuthenticateAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            var query = new StringBuilder(uri.Query.TrimStart('?'));
            query.Append(query.Length == 0 ? "" : "&").Append(Uri.EscapeDataString(parameter)).Append('=').Append(Uri.EscapeDataString(key.Reveal()));
            request.RequestUri = new UriBuilder(uri) { Query = query.ToString() }.Uri;
            return ValueTask.CompletedTask;
        }
    }
}
