using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using RelayExporter.Configuration;

namespace RelayExporter.Probing.Http;

/// <summary>A target's certificate check when the system's trust store says no: its own CA file, or none at all.</summary>
internal sealed class TargetTls
{
    private readonly bool _insecure;
    private readonly X509Certificate2Collection? _authorities;

    public TargetTls(TlsOptions options)
    {
        _insecure = options.InsecureSkipVerify;
        if (options.CaFile is null) return;
        _authorities = new X509Certificate2Collection();
        _authorities.ImportFromPemFile(options.CaFile);
    }

    public bool Accepts(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (_insecure) return true;
        // Only an untrusted chain can be rescued by the target's own authorities; a wrong host name cannot.
        if (_authorities is null || errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(certificate));
    }
}
