using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using RelayExporter.Configuration;
using RelayExporter.Probing;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Hosting;

/// <summary>The exporter executable starting on a port it cannot have, and stopping while a probe is in flight.</summary>
public class LifecycleTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_port_in_use_ends_the_process_with_one_line_and_exit_1_before_any_probe()
    {
        await using var target = await LoopbackServer.StartAsync(context => context.Response.WriteAsync("""{"data":[]}"""));
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var address = $"127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        var config = await WriteConfigAsync($"""
            targets:
              - {"{"} name: a, protocol: openai, base_url: "{target.Url}", checks: {"{"} models: {"{"} interval: 1s, timeout: 1s {"}"} {"}"} {"}"}
            """);
        try
        {
            await using var exporter = StartExporter(config, address);

            var code = await exporter.WaitForExitAsync(Deadline);

            Assert.True(code == 1, exporter.Describe());
            Assert.Equal($"relay-exporter: cannot listen on {address}: address already in use\n", exporter.StandardError);
            Assert.True(exporter.StandardOutput == "", exporter.Describe()); // no stack trace, no "probe series started"
            Assert.Empty(target.Requests);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task SIGTERM_during_a_slow_stream_probe_cancels_it_quietly_and_exits_0_promptly()
    {
        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var target = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: {\"choices\":[{\"delta\":{\"content\":\"O\"}}]}\n\n");
            await context.Response.Body.FlushAsync();
            streaming.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
        });
        // A timeout longer than the test needs; the interval cannot be shorter. The series' start is spread over the
        // interval by its name: a name whose first probe is due within a second.
        var name = Enumerable.Range(0, 1000).Select(i => $"slow-{i}").First(n => FirstProbeWithin(n, TimeSpan.FromSeconds(1)));
        var config = await WriteConfigAsync($"""
            targets:
              - {"{"} name: {name}, protocol: openai, base_url: "{target.Url}", models: [m], checks: {"{"} stream: {"{"} interval: 1m, timeout: 1m {"}"} {"}"} {"}"}
            """);
        try
        {
            await using var exporter = StartExporter(config, "127.0.0.1:0");
            await streaming.Task.WaitAsync(Deadline);

            exporter.Terminate();
            var stopping = TimeProvider.System.GetTimestamp();
            var code = await exporter.WaitForExitAsync(Deadline);

            Assert.True(code == 0, exporter.Describe());
            Assert.True(TimeProvider.System.GetElapsedTime(stopping) < TimeSpan.FromSeconds(5), exporter.Describe());
            var logs = exporter.StandardOutput + exporter.StandardError;
            Assert.True(!logs.Contains(" fail: ") && !logs.Contains(" crit: ") && !logs.Contains($"{name}/stream/m ended"), exporter.Describe());
        }
        finally
        {
            File.Delete(config);
        }
    }

    private static bool FirstProbeWithin(string target, TimeSpan within) =>
        ProbeScheduler.Offset(new ProbeJob(new TargetOptions { Name = target }, CheckKinds.Stream.Name, "m",
            new CheckOptions { Interval = TimeSpan.FromMinutes(1) })) < within;

    private static async Task<string> WriteConfigAsync(string yaml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"relay-exporter-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(path, yaml);
        return path;
    }

    private static ExternalProcess StartExporter(string config, string address) =>
        ExternalProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "relay-exporter.dll"), "--config.file", config, "--web.listen-address", address]);
}
