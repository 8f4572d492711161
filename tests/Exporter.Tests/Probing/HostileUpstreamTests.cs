using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Http;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Simulator;
using RelayExporter.Tests.Infrastructure;
using RelayExporter.Outcomes;

namespace RelayExporter.Tests.Probing;

/// <summary>Broken or hostile upstreams end in a classified outcome within the probe's time and memory bounds.</summary>
public class HostileUpstreamTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    // For the tests whose verdict is not about time: a loaded CI machine once took over a second to send the 250 KB bomb.
    private static readonly TimeSpan RoomyTimeout = TimeSpan.FromSeconds(30);
    // The timeout timer may fire a millisecond before the probe's own clock says a second has passed.
    private static readonly TimeSpan Early = TimeSpan.FromMilliseconds(20);
    // Generous for a loaded CI machine, and still far below what the drip would take without the timeout (4 s and more).
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_slow_drip_stream_is_cut_by_the_total_timeout()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var admin = new HttpClient { BaseAddress = simulator.AdminUrl };
        (await admin.PutAsync("/_sim/faults/openai", new StringContent("""{"kind":"slow","delay_ms":0,"token_delay_ms":400}"""))).EnsureSuccessStatusCode();
        using var rig = Rig(simulator.TargetUrl("openai"), CheckKinds.Stream.Name, Timeout);

        var result = await rig.ProbeAsync("target", CheckKinds.Stream.Name, "gpt-4.1");

        Assert.Equal(ProbeOutcome.StreamError, result.Outcome);
        Assert.Contains("did not finish within", result.Reason);
        Assert.InRange(result.Duration, Timeout - Early, Timeout + Slack);
    }

    [Fact]
    public async Task A_body_that_never_ends_is_cut_by_the_total_timeout()
    {
        await using var upstream = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"data\":[", context.RequestAborted);
            while (!context.RequestAborted.IsCancellationRequested)
            {
                await context.Response.WriteAsync(" ", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(50, context.RequestAborted);
            }
        });
        using var rig = Rig(upstream.Url, CheckKinds.Models.Name, Timeout);

        var result = await rig.ProbeAsync("target", CheckKinds.Models.Name);

        Assert.Equal(ProbeOutcome.Timeout, result.Outcome);
        Assert.InRange(result.Duration, Timeout - Early, Timeout + Slack);
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_an_invalid_response()
    {
        await using var upstream = await LoopbackServer.StartAsync(context =>
            context.Response.WriteAsync("{\"data\":[" + string.Join(",", Enumerable.Repeat("{\"id\":\"padding-model\"}", 10_000)) + "]}"));
        using var rig = Rig(upstream.Url, CheckKinds.Models.Name, RoomyTimeout, maxBodyBytes: 64 * 1024);

        var result = await rig.ProbeAsync("target", CheckKinds.Models.Name);

        Assert.Equal(ProbeOutcome.InvalidResponse, result.Outcome);
        Assert.Equal("response body larger than 65536 bytes", result.Reason);
    }

    [Fact]
    public async Task A_compression_bomb_is_never_inflated()
    {
        var bomb = new MemoryStream();
        await using (var gzip = new GZipStream(bomb, CompressionLevel.SmallestSize, leaveOpen: true))
            for (var i = 0; i < 256; i++) await gzip.WriteAsync(new byte[1024 * 1024]); // 256 MiB of zeros
        await using var upstream = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.Headers.ContentEncoding = "gzip";
            await context.Response.Body.WriteAsync(bomb.ToArray());
        });
        using var rig = Rig(upstream.Url, CheckKinds.Models.Name, RoomyTimeout);

        var result = await rig.ProbeAsync("target", CheckKinds.Models.Name);

        // Inflated, the 256 MiB would be over the 1 MiB body limit; read as sent, the gzip bytes are not JSON.
        Assert.Equal(ProbeOutcome.InvalidResponse, result.Outcome);
        Assert.Contains("not valid JSON", result.Reason);
    }

    [Fact]
    public async Task Deeply_nested_json_and_invalid_utf8_are_invalid_responses()
    {
        var deep = Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000));
        byte[] badUtf8 = [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'];
        foreach (var body in new[] { deep, badUtf8 })
        {
            await using var upstream = await LoopbackServer.StartAsync(async context =>
            {
                context.Response.ContentType = "application/json";
                await context.Response.Body.WriteAsync(body);
            });
            using var rig = Rig(upstream.Url, CheckKinds.Models.Name, RoomyTimeout);

            var result = await rig.ProbeAsync("target", CheckKinds.Models.Name);

            Assert.Equal(ProbeOutcome.InvalidResponse, result.Outcome);
        }
    }

    static HostileUpstreamTests() => Environment.SetEnvironmentVariable("HOSTILE_TEST_KEY", "sk-hostile-test");

    private static ProbeRig Rig(Uri url, string check, TimeSpan timeout, int maxBodyBytes = 1024 * 1024) => new(new ExporterOptions
    {
        Probing = new ProbingOptions { MaxBodyBytes = maxBodyBytes },
        Targets =
        [
            new TargetOptions
            {
                Name = "target", Protocol = ProtocolKind.Openai, BaseUrl = url.ToString(), Models = ["gpt-4.1"],
                Credential = new CredentialOptions { Env = "HOSTILE_TEST_KEY" },
                Checks = new() { [check] = new CheckOptions { Interval = TimeSpan.FromMinutes(1), Timeout = timeout } },
            },
        ],
    });
}
