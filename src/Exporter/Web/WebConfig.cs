using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using RelayExporter.Configuration;

namespace RelayExporter.Web;

/// <summary>
/// The file of <c>--web.config.file</c>, in the format of Prometheus's exporter-toolkit: TLS for the listener and
/// users allowed in with basic auth. It protects every path the exporter serves.
/// </summary>
public sealed partial class WebConfig
{
    public TlsServerConfig? TlsServerConfig { get; set; }

    /// <summary>User name → bcrypt hash of the password.</summary>
    public Dictionary<string, string>? BasicAuthUsers { get; set; }

    public void Validate(ConfigProblems problems)
    {
        TlsServerConfig?.Validate("tls_server_config", problems);
        foreach (var (user, hash) in BasicAuthUsers ?? [])
        {
            // BCrypt.Net would only say so at the first login; an operator wants to hear it now.
            if (!BcryptHash().IsMatch(hash))
                problems.Add($"basic_auth_users:{user}", "is not a bcrypt hash ($2a$, $2b$ or $2y$, a cost, then 53 characters); make one with: htpasswd -nbBC 10 \"\" PASSWORD | tr -d ':\\n'");
        }
    }

    [GeneratedRegex(@"^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$")]
    private static partial Regex BcryptHash();
}

/// <summary>The listener's certificate, and whether and how clients must show theirs.</summary>
public sealed class TlsServerConfig
{
    /// <summary>min_version → the protocols offered; TLS12 when unset, as exporter-toolkit does.</summary>
    public static readonly IReadOnlyDictionary<string, SslProtocols> Versions = new Dictionary<string, SslProtocols>
    {
        ["TLS12"] = SslProtocols.Tls12 | SslProtocols.Tls13,
        ["TLS13"] = SslProtocols.Tls13,
    };

    public static readonly IReadOnlyList<string> ClientAuthTypes =
        ["NoClientCert", "RequestClientCert", "RequireAnyClientCert", "VerifyClientCertIfGiven", "RequireAndVerifyClientCert"];

    public string? CertFile { get; set; }
    public string? KeyFile { get; set; }
    public string? ClientAuthType { get; set; }
    public string? ClientCaFile { get; set; }
    public string? MinVersion { get; set; }

    /// <summary>Whether a client certificate must be checked against <see cref="ClientCaFile"/>.</summary>
    public bool VerifiesClients => ClientAuthType is "VerifyClientCertIfGiven" or "RequireAndVerifyClientCert";

    public void Validate(string key, ConfigProblems problems)
    {
        if (CertFile is null) problems.Add($"{key}:cert_file", "is required");
        if (KeyFile is null) problems.Add($"{key}:key_file", "is required");
        if (CertFile is not null && KeyFile is not null)
        {
            try
            {
                using var _ = LoadCertificate();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                problems.Add($"{key}:cert_file", $"cannot load the certificate {CertFile} with the key {KeyFile}: {e.Message}");
            }
        }
        if (ClientAuthType is not null && !ClientAuthTypes.Contains(ClientAuthType))
            problems.Add($"{key}:client_auth_type", $"\"{ClientAuthType}\" is not one of: {string.Join(", ", ClientAuthTypes)}");
        if (VerifiesClients && ClientCaFile is null)
            problems.Add($"{key}:client_auth_type", $"{ClientAuthType} needs client_ca_file, the authorities that sign client certificates");
        if (ClientCaFile is not null)
        {
            try
            {
                if (LoadClientAuthorities().Count == 0) problems.Add($"{key}:client_ca_file", $"{ClientCaFile} holds no PEM certificate");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                problems.Add($"{key}:client_ca_file", $"cannot read certificates from {ClientCaFile}: {e.Message}");
            }
        }
        if (MinVersion is not null && !Versions.ContainsKey(MinVersion))
            problems.Add($"{key}:min_version", $"\"{MinVersion}\" is not one of: {string.Join(", ", Versions.Keys)} (TLS 1.0 and 1.1 are not offered)");
    }

    /// <summary>The certificate with its private key, in a form the TLS stack can use on every platform.</summary>
    public X509Certificate2 LoadCertificate()
    {
        using var pem = X509Certificate2.CreateFromPemFile(CertFile!, KeyFile!);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    public X509Certificate2Collection LoadClientAuthorities()
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(ClientCaFile!);
        return authorities;
    }
}
