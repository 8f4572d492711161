using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RelayExporter.Configuration;

/// <summary>How a target's TLS certificate is checked (like blackbox_exporter's tls_config).</summary>
public sealed class TlsOptions
{
    /// <summary>PEM file of the certificate authorities to trust for this target, instead of the system's.</summary>
    public string? CaFile { get; set; }

    /// <summary>Accept any certificate. The expiry is still measured.</summary>
    public bool InsecureSkipVerify { get; set; }

    public void Validate(string key, ConfigProblems problems)
    {
        if (CaFile is null) return;
        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(CaFile);
            if (certificates.Count == 0) problems.Add($"{key}:ca_file", $"{CaFile} holds no PEM certificate");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            problems.Add($"{key}:ca_file", $"cannot read certificates from {CaFile}: {e.Message}");
        }
    }
}
