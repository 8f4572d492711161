using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Simulator;
using RelayExporter.Tests.Infrastructure;
using RelayExporter.Outcomes;
using TargetKind = RelayExporter.Configuration.TargetKind;

namespace RelayExporter.Tests.Probing;

/// <summary>Probes of an HTTPS simulator whose certificate the test made: TLS time, certificate expiry, trust.</summary>
public sealed class TlsProbeTests : IAsyncLifetime
{
    private readonly TestCertificates _certificates = new(TimeSpan.FromDays(42));
    private SimulatorHost _simulator = null!;

    public async Task InitializeAsync() =>
        _simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Certificate = _certificates.Server });

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        _certificates.Dispose();
    }

    [Fact]
    public async Task Trusted_through_the_targets_ca_file_the_probe_succeeds_and_measures_tls_and_expiry()
    {
        var result = await ProbeAsync(new TlsOptions { CaFile = _certificates.AuthorityPemFile });

        Assert.Equal(ProbeOutcome.Success, result.Outcome);
        Assert.StartsWith("https://", _simulator.TargetUrl("openai").ToString());
        Assert.Equal(_certificates.NotAfter, result.Trace!.CertificateNotAfter);
        // The handshake's key exchange and signatures alone take longer than this on any machine.
        Assert.True(result.Trace.Tls > TimeSpan.FromMicroseconds(100), $"the TLS handshake should have been timed, not {result.Trace.Tls}");
        Assert.True(result.Trace.Connect > TimeSpan.Zero, "the connect should have been timed");
        Assert.Null(result.Trace.CertificateErrors); // the system's complaint is no problem once the target's CA vouches
    }

    [Fact]
    public async Task An_untrusted_certificate_is_a_tls_error_and_its_expiry_is_still_known()
    {
        var result = await ProbeAsync(new TlsOptions());

        Assert.Equal(ProbeOutcome.TlsError, result.Outcome);
        Assert.Equal(_certificates.NotAfter, result.Trace!.CertificateNotAfter);
        Assert.Equal(System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors, result.Trace.CertificateErrors);
    }

    [Fact]
    public async Task Insecure_skip_verify_accepts_the_certificate()
    {
        var result = await ProbeAsync(new TlsOptions { InsecureSkipVerify = true });

        Assert.Equal(ProbeOutcome.Success, result.Outcome);
        Assert.Equal(_certificates.NotAfter, result.Trace!.CertificateNotAfter);
    }

    private async Task<ProbeResult> ProbeAsync(TlsOptions tls)
    {
        using var key = new EnvironmentScope([new($"TLS_TEST_KEY_{tls.GetHashCode()}", "sk-tls")]);
        using var rig = new ProbeRig(new ExporterOptions
        {
            Targets =
            [
                new TargetOptions
                {
                    Name = "openai", Kind = TargetKind.Provider, Protocol = ProtocolKind.Openai, BaseUrl = _simulator.TargetUrl("openai").ToString(),
                    Credential = new CredentialOptions { Env = $"TLS_TEST_KEY_{tls.GetHashCode()}" }, Models = ["gpt-4.1"], Tls = tls,
                },
            ],
        });
        return await rig.ProbeAsync("openai", CheckKinds.Models.Name);
    }
}
