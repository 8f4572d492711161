using Microsoft.AspNetCore.Http;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Tests.Infrastructure;
using RelayExporter.Outcomes;

namespace RelayExporter.Tests.Probing;

/// <summary>What was said in a probe (headers, the start of the body) is written down only for a debug probe, which shows it.</summary>
public sealed class ProbeTranscriptTests
{
    [Fact]
    public async Task Only_a_transcribed_probe_keeps_what_was_said_and_both_measure_the_same_exchange()
    {
        await using var upstream = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.Headers["X-Upstream"] = "loopback";
            await context.Response.WriteAsync("{\"data\":[{\"id\":\"gpt-4.1\"}]}");
        });
        using var rig = new ProbeRig(new ExporterOptions
        {
            Targets = [new TargetOptions { Name = "plain", Protocol = ProtocolKind.Openai, BaseUrl = upstream.Url.ToString(), Models = ["gpt-4.1"] }],
        });

        var scheduled = await rig.ProbeAsync("plain", CheckKinds.Models.Name);
        var debug = await rig.ProbeAsync("plain", CheckKinds.Models.Name, transcribe: true);

        Assert.Equal(ProbeOutcome.Success, scheduled.Outcome);
        Assert.Null(scheduled.Transcript);
        Assert.Equal(200, scheduled.Trace?.StatusCode);
        Assert.Equal(ProbeOutcome.Success, debug.Outcome);
        Assert.Equal(200, debug.Trace?.StatusCode);
        Assert.Equal($"GET {upstream.Url}v1/models", debug.Transcript?.RequestLine);
        Assert.Contains("X-Upstream: loopback", debug.Transcript!.ResponseHeaders);
        Assert.Equal("{\"data\":[{\"id\":\"gpt-4.1\"}]}", debug.Transcript.BodyExcerpt);
    }
}
