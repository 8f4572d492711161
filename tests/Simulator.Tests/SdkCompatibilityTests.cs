using System.Text.Json;

namespace RelayExporter.Simulator.Tests;

/// <summary>The official OpenAI and Anthropic SDKs (Node) accept the simulator's answers: see sdk-check/check.mjs.</summary>
public sealed class SdkCompatibilityTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task OpenAi_and_Anthropic_SDKs_parse_models_completions_and_streams()
    {
        var directory = FindSdkCheck();
        await InstallAsync(directory);

        using var check = ChildProcess.Start("node", ["check.mjs"], directory, new Dictionary<string, string>
        {
            ["SIM_OPENAI_URL"] = sim.Host.TargetUrl("openai").GetLeftPart(UriPartial.Authority),
            ["SIM_DEEPSEEK_URL"] = sim.Host.TargetUrl("deepseek").GetLeftPart(UriPartial.Authority),
            ["SIM_ANTHROPIC_URL"] = sim.Host.TargetUrl("anthropic").GetLeftPart(UriPartial.Authority),
        });
        var (exitCode, output) = await check.WaitAsync(Deadline);

        Assert.True(exitCode == 0, $"check.mjs exited {exitCode}: {check.StandardError}");
        var summary = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal(TestHttp.Reply, summary.GetProperty("openai").GetProperty("stream").GetProperty("content").GetString());
        Assert.Equal(7, summary.GetProperty("openai").GetProperty("stream").GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(10, summary.GetProperty("deepseek").GetProperty("stream").GetProperty("usage")
            .GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32());
        var anthropic = summary.GetProperty("anthropic");
        Assert.Equal(["claude-sonnet-4.5", "claude-haiku-4.5"], anthropic.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("end_turn", anthropic.GetProperty("stream").GetProperty("stop_reason").GetString());
        Assert.Equal("message_stop", anthropic.GetProperty("stream").GetProperty("events").EnumerateArray().Last().GetString());
    }

    /// <summary>Runs <c>npm ci</c> only when node_modules is missing or older than the lock file.</summary>
    private static async Task InstallAsync(string directory)
    {
        var installed = Path.Combine(directory, "node_modules", ".package-lock.json");
        if (File.Exists(installed)
            && File.GetLastWriteTimeUtc(installed) >= File.GetLastWriteTimeUtc(Path.Combine(directory, "package-lock.json")))
            return;
        using var npm = ChildProcess.Start("npm", ["ci", "--no-audit", "--no-fund"], directory);
        var (exitCode, _) = await npm.WaitAsync(Deadline);
        Assert.True(exitCode == 0, $"npm ci exited {exitCode}: {npm.StandardError}");
    }

    private static string FindSdkCheck()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Simulator.Tests", "sdk-check");
            if (File.Exists(Path.Combine(candidate, "package.json"))) return candidate;
        }
        throw new DirectoryNotFoundException($"no tests/Simulator.Tests/sdk-check above {AppContext.BaseDirectory}");
    }
}
