using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using RelayExporter.Simulator;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Status;

/// <summary>
/// The status page in a real Chromium (Debian's), driven by Playwright, at a desktop's width (1400 px) and a phone's
/// (390 px): what it says is true, and nothing on it overflows its container.
/// </summary>
[Collection(ExporterHostCollection.Name)]
public sealed class StatusPageTests
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly LocatorAssertionsToHaveAttributeOptions Waiting = new() { Timeout = (float)Deadline.TotalMilliseconds };
    private static readonly (int Width, int Height, string Name, int MaxFleetRow)[] Widths = [(1400, 1000, "desktop", 64), (390, 844, "phone", 200)];

    /// <summary>Where the screenshots go: set STATUS_PAGE_SCREENSHOTS=docs/images (from the repository root) to refresh the README's.</summary>
    private static readonly string ScreenshotDirectory = Environment.GetEnvironmentVariable("STATUS_PAGE_SCREENSHOTS") is { Length: > 0 } dir
        ? Path.GetFullPath(Path.Combine(RepositoryPaths.Root, dir)) : Path.GetTempPath();

    [Fact]
    public async Task The_fleet_and_a_target_fit_a_desktop_and_a_phone_and_say_the_truth_when_healthy_and_under_a_revoked_key_and_a_down_relay()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var key = new EnvironmentScope([new("STATUS_PAGE_TEST_KEY", "sk-page-test-4821")]);
        string Target(string name, string kind, string protocol, string models, string checks) =>
            $"  - {{ name: {name}, kind: {kind}, protocol: {protocol}, base_url: \"{simulator.TargetUrl(name)}\", credential: {{ env: STATUS_PAGE_TEST_KEY }}, models: [{models}], checks: {{ {checks} }} }}\n";
        await using var exporter = await ExporterHost.StartAsync(
            "defaults:\n  checks:\n    health: { interval: 1s, timeout: 1s }\n    models: { interval: 1s, timeout: 1s }\n    chat: { interval: 2s, timeout: 2s }\n    stream: { interval: 2s, timeout: 2s }\n" +
            "targets:\n" +
            Target("relay-a", "relay", "openai", "gpt-4.1, claude-sonnet-4.5, gemini-2.5-flash, deepseek-v3.2", "health: {}, models: {}, chat: {}") +
            Target("relay-b", "relay", "openai", "gpt-4.1, claude-sonnet-4.5, deepseek-v3.2", "health: {}, models: {}") +
            Target("openai", "provider", "openai", "gpt-4.1", "models: {}, stream: {}") +
            Target("anthropic", "provider", "anthropic", "claude-sonnet-4.5", "models: {}") +
            Target("gemini", "provider", "gemini", "gemini-2.5-flash", "models: {}") +
            Target("deepseek", "provider", "openai", "deepseek-chat", "models: {}"));
        await using var browser = await ChromiumAsync();
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var errors = Errors(page);

        await page.GotoAsync(exporter.BaseUrl.ToString());
        await Assertions.Expect(page.Locator("#summary")).ToHaveTextAsync("6 healthy", new() { Timeout = (float)Deadline.TotalMilliseconds });
        Assert.Equal("✓", await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('#summary .count'), '::before').content.replaceAll('\"', '')"));
        await Assertions.Expect(page.Locator(".trow[data-target='relay-a'] [data-field=probes]")).ToContainTextAsync("of", new() { Timeout = (float)Deadline.TotalMilliseconds });
        Assert.DoesNotContain("no successful probe yet", await page.Locator("#fleet").InnerTextAsync());
        await CheckLayoutAndShootAsync(page, "healthy");

        using var admin = new HttpClient { BaseAddress = simulator.AdminUrl };
        (await admin.PutAsync("/_sim/faults/relay-a", new StringContent("""{"kind":"unauthorized"}"""))).EnsureSuccessStatusCode();
        (await admin.PutAsync("/_sim/faults/relay-b", new StringContent("""{"kind":"down","mode":"refused"}"""))).EnsureSuccessStatusCode();

        var relayA = page.Locator(".trow[data-target='relay-a']");
        var relayB = page.Locator(".trow[data-target='relay-b']");
        await Assertions.Expect(relayA).ToHaveAttributeAsync("data-state", "unhealthy", Waiting);
        await Assertions.Expect(relayB).ToHaveAttributeAsync("data-state", "unhealthy", Waiting);
        await Assertions.Expect(relayB.Locator("[data-field=circuit]")).ToContainTextAsync("open", new() { Timeout = (float)Deadline.TotalMilliseconds });
        // The down relay's circuit is open: its latest probes are not sent, and its last failure is still the refused connection.
        await Eventually.UntilAsync(async () => (await TargetAsync(exporter, "relay-b")).GetProperty("last_outcome").GetString() == "circuit_open",
            Deadline, "relay-b's probes are held back by its open circuit");
        await Assertions.Expect(page.Locator("#summary > *")).ToHaveTextAsync(["2 unhealthy", "4 healthy"], new() { Timeout = (float)Deadline.TotalMilliseconds });

        var downFailure = await relayB.Locator("[data-field=last-failure]").InnerTextAsync();
        Assert.Contains("connect_error", downFailure);
        Assert.DoesNotContain("circuit_open", downFailure);
        Assert.Contains("auth_error", await relayA.Locator("[data-field=last-failure]").InnerTextAsync());
        // Both succeeded before the faults: "no successful probe yet" would be a lie.
        Assert.Matches(@"^(health|models): no success in the last \d+ (s|min)$", await relayB.Locator("[data-field=success]").InnerTextAsync());
        // The revoked key's relay still answers its health check: what has not succeeded since is the models check.
        Assert.Matches(@"^models: no success in the last \d+ (s|min)$", await relayA.Locator("[data-field=success]").InnerTextAsync());
        Assert.DoesNotContain("no successful probe yet", await page.Locator("body").InnerTextAsync());
        Assert.Equal(6, await page.Locator(".trow[data-target]").CountAsync());
        await CheckLayoutAndShootAsync(page, "fault");

        // The whole reason on demand, in the row.
        await relayA.Locator("[data-field=last-failure] summary").ClickAsync();
        await Assertions.Expect(relayA.Locator("[data-field=last-failure] .full")).ToBeVisibleAsync();
        await Assertions.Expect(relayA.Locator("[data-field=last-failure] .full")).ToContainTextAsync("HTTP 401");

        // One target: why, its circuits, models × checks, recent probes with reasons and the relay's upstreams.
        await page.GotoAsync(exporter.BaseUrl + "#/targets/relay-a");
        await Assertions.Expect(page.Locator("[data-field=state-reason]")).ToContainTextAsync("models: credential rejected");
        await Assertions.Expect(page.Locator("[data-circuit=api]")).ToContainTextAsync("auth_error");
        Assert.Equal(5, await page.Locator("#matrix > [data-model]").CountAsync());
        await Assertions.Expect(page.Locator("#matrix [data-model='gpt-4.1']")).ToContainTextAsync("chat");
        await Assertions.Expect(page.Locator("#upstreams")).ToContainTextAsync("openai");
        await Assertions.Expect(page.Locator("#recent")).ToContainTextAsync("auth_error");
        foreach (var (width, height, name, _) in Widths)
        {
            await page.SetViewportSizeAsync(width, height);
            Assert.Empty(await OverflowsAsync(page));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"status-page-target-{name}.png"), FullPage = true });
        }
        Assert.Empty(errors);
    }

    [Fact]
    public async Task What_an_upstream_writes_is_shown_as_text_never_run_as_markup()
    {
        const string hostile = """{"error":"<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script><b>bold</b>"}""";
        await using var upstream = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(hostile);
        });
        using var key = new EnvironmentScope([new("STATUS_PAGE_TEST_KEY", "sk-page-test-4821")]);
        await using var exporter = await ExporterHost.StartAsync($$"""
            defaults:
              checks:
                models: { interval: 1s, timeout: 1s }
            targets:
              - { name: hostile, protocol: openai, base_url: "{{upstream.Url}}", credential: { env: STATUS_PAGE_TEST_KEY }, models: [gpt-4.1] }
            """);
        await using var browser = await ChromiumAsync();
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 } });
        var errors = Errors(page);

        await page.GotoAsync(exporter.BaseUrl.ToString());
        var row = page.Locator(".trow[data-target='hostile']");
        await Assertions.Expect(row.Locator("[data-field=last-failure]")).ToContainTextAsync("<img src=x", new() { Timeout = (float)Deadline.TotalMilliseconds });
        await page.GotoAsync(exporter.BaseUrl + "#/targets/hostile");
        await Assertions.Expect(page.Locator("#recent")).ToContainTextAsync("<script>");

        Assert.Equal(0, await page.Locator("main img, main script, main b").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.pwned ?? null"));
        Assert.Empty(await OverflowsAsync(page));
        Assert.Empty(errors);
    }

    /// <summary>At each width: nothing overflows, no fleet row is taller than the bound, and a screenshot for docs/images.</summary>
    private static async Task CheckLayoutAndShootAsync(IPage page, string situation)
    {
        foreach (var (width, height, name, maxFleetRow) in Widths)
        {
            await page.SetViewportSizeAsync(width, height);
            Assert.Empty(await OverflowsAsync(page));
            var rows = await page.EvaluateAsync<double[]>("() => [...document.querySelectorAll('.trow[data-target]')].map(r => r.getBoundingClientRect().height)");
            Assert.NotEmpty(rows);
            Assert.All(rows, h => Assert.InRange(h, 1, maxFleetRow));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"status-page-{situation}-{name}.png"), FullPage = true });
        }
    }

    /// <summary>
    /// Every element that sticks out of its parent, or whose content is wider than its box, measured in the page; and
    /// the page itself wider than the window (a sideways scroll). A box that clips on purpose (one line ending in "…")
    /// may hold wider content, but must itself fit.
    /// </summary>
    private static Task<string[]> OverflowsAsync(IPage page) => page.EvaluateAsync<string[]>("""
        () => {
          const problems = [];
          const name = e => e.tagName.toLowerCase() + (e.className && typeof e.className === "string" ? "." + e.className.trim().replace(/\s+/g, ".") : "")
            + (e.dataset.target ? `[${e.dataset.target}]` : "");
          const clips = e => getComputedStyle(e).overflowX !== "visible";
          if (document.documentElement.scrollWidth > window.innerWidth) problems.push(`the page is ${document.documentElement.scrollWidth}px wide in a ${window.innerWidth}px window`);
          for (const e of document.querySelectorAll("body *")) {
            if (e.closest("script, style, head") || e.getClientRects().length === 0) continue;
            let clipped = false;
            for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) if (clips(a)) { clipped = true; break; }
            if (clipped) continue;
            const r = e.getBoundingClientRect(), p = e.parentElement.getBoundingClientRect();
            if (r.left < p.left - 1 || r.right > p.right + 1) problems.push(`${name(e)} [${Math.round(r.left)}, ${Math.round(r.right)}] sticks out of ${name(e.parentElement)} [${Math.round(p.left)}, ${Math.round(p.right)}]`);
            const display = getComputedStyle(e).display;
            if (!clips(e) && display !== "inline" && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1) problems.push(`${name(e)} holds ${e.scrollWidth}px of content in ${e.clientWidth}px`);
          }
          return problems;
        }
        """);

    private static List<string> Errors(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);
        return errors;
    }

    private static async Task<JsonElement> TargetAsync(ExporterHost exporter, string name)
    {
        using var client = exporter.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/api/v1/targets"));
        return document.RootElement.GetProperty("targets").EnumerateArray().Single(t => t.GetProperty("name").GetString() == name).Clone();
    }

    private static async Task<Chromium> ChromiumAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: run ./scripts/test.sh, which installs Debian's chromium package");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // This machine's network is closed: without these Chromium keeps trying to reach Google's services.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return new Chromium(playwright, browser);
    }

    private sealed record Chromium(IPlaywright Playwright, IBrowser Browser) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Browser.DisposeAsync();
            Playwright.Dispose();
        }
    }

    [Fact]
    public async Task The_page_says_when_the_days_spend_reached_the_budget_and_the_paid_checks_are_paused()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: run ./scripts/test.sh, which installs Debian's chromium package");
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var key = new EnvironmentScope([new("STATUS_PAGE_BUDGET_KEY", "sk-status-page-budget")]);
        // One chat probe costs more than this budget: the first one spends it.
        await using var exporter = await ExporterHost.StartAsync($$"""
            targets:
              - { name: relay-a, kind: relay, protocol: openai, base_url: "{{simulator.TargetUrl("relay-a")}}", credential: { env: STATUS_PAGE_BUDGET_KEY }, models: [gpt-4.1], checks: { models: { interval: 1s, timeout: 1s }, chat: { interval: 1s, timeout: 1s } } }
            prices:
              gpt-4.1: { input: 2, output: 8 }
            budget: { usd_per_day: 0.000001, accept_projection_over_budget: true }
            """);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);

        await page.GotoAsync(exporter.BaseUrl.ToString());
        var paused = page.Locator("#spend-paused");
        await Assertions.Expect(paused).ToBeVisibleAsync(new() { Timeout = (float)Deadline.TotalMilliseconds });
        await Assertions.Expect(paused).ToContainTextAsync("Paid checks (chat, stream) are paused");
        await Assertions.Expect(paused).ToContainTextAsync("reached the budget of $0.000001 a day");
        await Assertions.Expect(page.Locator("#spend-today")).ToContainTextAsync("of $0.000001 a day");
        Assert.Empty(errors);
    }
}
