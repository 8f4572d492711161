using System.Diagnostics;

namespace RelayExporter.Tests.Infrastructure;

public sealed class ExternalProcessTests
{
    [Fact]
    public async Task Dispose_kills_exactly_the_started_process()
    {
        int id;
        await using (var process = ExternalProcess.Start(ExternalTool.Locate("sleep"), ["60"]))
        {
            id = process.Id;
            Assert.False(process.HasExited);
        }

        Assert.False(IsRunning(id), $"process {id} survived DisposeAsync");
    }

    [Fact]
    public async Task Run_past_its_deadline_is_killed_and_reported_with_its_output()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(() => ProcessRunner.RunAsync(
            ExternalTool.Locate("sh"), ["-c", "echo started; exec sleep 60"], TimeSpan.FromMilliseconds(500)));

        Assert.Contains("did not exit within", error.Message);
        Assert.Contains("started", error.Message);
    }

    [Fact]
    public async Task Run_captures_exit_code_stdout_stderr_and_stdin()
    {
        var result = await ProcessRunner.RunAsync(
            ExternalTool.Locate("sh"), ["-c", "cat; echo oops >&2; exit 3"], TimeSpan.FromSeconds(30), standardInput: "hello\n");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("hello\n", result.StandardOutput);
        Assert.Equal("oops\n", result.StandardError);
    }

    [Fact]
    public void Missing_tools_fail_with_install_instructions()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ExternalTool.Locate("relay-no-such-tool"));

        Assert.Contains("'relay-no-such-tool' was not found on PATH", error.Message);
        Assert.Contains("test script", error.Message);
    }

    [Fact]
    public async Task Eventually_times_out_with_the_description_and_last_error()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(() => Eventually.GetAsync<string>(
            () => throw new InvalidOperationException("not yet"), TimeSpan.FromMilliseconds(200), "the thing"));

        Assert.Contains("waiting for the thing", error.Message);
        Assert.Contains("not yet", error.Message);
    }

    private static bool IsRunning(int id)
    {
        try
        {
            using var process = Process.GetProcessById(id);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
