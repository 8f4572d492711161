using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace RelayExporter.Web;

/// <summary>The listener's TLS settings from <c>tls_server_config</c>, with exporter-toolkit's meaning of client_auth_type.</summary>
public static class WebTls
{
    public static void Configure(HttpsConnectionAdapterOptions https, TlsServerConfig tls)
    {
        https.ServerCertificate = tls.LoadCertificate();
        https.SslProtocols = TlsServerConfig.Versions[tls.MinVersion ?? "TLS12"];
        https.ClientCertificateMode = tls.ClientAuthType switch
        {
            "RequestClientCert" or "VerifyClientCertIfGiven" => ClientCertificateMode.AllowCertificate,
            "RequireAnyClientCert" or "RequireAndVerifyClientCert" => ClientCertificateMode.RequireCertificate,
            _ => ClientCertificateMode.NoCertificate,
        };
        if (tls.VerifiesClients)
        {
            var authorities = tls.LoadClientAuthorities();
            https.ClientCertificateValidation = (certificate, _, _) => IssuedByOneOf(certificate, authorities);
        }
        else
        {
            // Asked for (or required) but not checked: any certificate will do, as exporter-toolkit's Request/RequireAny.
            https.ClientCertificateValidation = (_, _, _) => true;
        }
    }

    private static bool IssuedByOneOf(X509Certificate2 certificate, X509Certificate2Collection authorities)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")); // client authentication
        return chain.Build(certificate);
    }
}
