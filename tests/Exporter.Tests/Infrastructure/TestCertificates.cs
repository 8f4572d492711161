using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RelayExporter.Tests.Infrastructure;

/// <summary>A certificate authority made for one test, and a server certificate for 127.0.0.1 that it signed.</summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates(TimeSpan serverValidity)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Relay Exporter Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Authority = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        // Whole seconds: the exporter reports expiry as a Unix time in seconds.
        NotAfter = DateTimeOffset.FromUnixTimeSeconds((DateTimeOffset.UtcNow + serverValidity).ToUnixTimeSeconds());
        using var signed = serverRequest.Create(Authority, DateTimeOffset.UtcNow.AddDays(-1), NotAfter, [1, 2, 3, 4]);
        // Kestrel on Linux wants a certificate whose key it can use: round-trip through PKCS#12.
        Server = X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(serverKey).Export(X509ContentType.Pkcs12), null);

        AuthorityPemFile = Path.Combine(Path.GetTempPath(), $"relay-exporter-ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(AuthorityPemFile, Authority.ExportCertificatePem());
        ServerPemFile = Path.Combine(Path.GetTempPath(), $"relay-exporter-server-{Guid.NewGuid():N}.pem");
        File.WriteAllText(ServerPemFile, Server.ExportCertificatePem());
        ServerKeyPemFile = Path.Combine(Path.GetTempPath(), $"relay-exporter-server-key-{Guid.NewGuid():N}.pem");
        File.WriteAllText(ServerKeyPemFile, serverKey.ExportPkcs8PrivateKeyPem());
    }

    public X509Certificate2 Authority { get; }
    public X509Certificate2 Server { get; }
    public DateTimeOffset NotAfter { get; }
    public string AuthorityPemFile { get; }

    /// <summary>The server certificate and its private key as PEM files, as a web server's configuration names them.</summary>
    public string ServerPemFile { get; }
    public string ServerKeyPemFile { get; }

    /// <summary>Trusts the server certificate only because this test's authority signed it.</summary>
    public bool IssuedByAuthority(X509Certificate2? certificate)
    {
        if (certificate is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        File.Delete(AuthorityPemFile);
        File.Delete(ServerPemFile);
        File.Delete(ServerKeyPemFile);
        Server.Dispose();
        Authority.Dispose();
    }
}
