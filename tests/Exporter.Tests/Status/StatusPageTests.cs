using Microsoft.Playwright;
using RelayExporter.Simulator;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Status;

/// <summary>The status page in a real Chromium (Debian's), driven by Playwright.</summary>
[Collection(ExporterHostCollection.Name)]
public sealed class StatusPageTests
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_page_loads_without_errors_and_shows_a_target_turn_unhealthy_after_a_fault()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: run ./scripts/test.sh, which installs Debian's chromium package");
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions());
        using var key = new EnvironmentScope([new("STATUS_PAGE_TEST_KEY", "sk-status-page")]);
        await using var exporter = await ExporterHost.StartAsync($$"""
            defaults:
              checks:
                models: { interval: 1s, timeout: 1s }
            targets:
              - { name: relay-a, kind: relay, protocol: openai, base_url: "{{simulator.TargetUrl("relay-a")}}", credential: { env: STATUS_PAGE_TEST_KEY }, models: [gpt-4.1], checks: { models: {} } }
              - { name: anthropic, protocol: anthropic, base_url: "{{simulator.TargetUrl("anthropic")}}", credential: { env: STATUS_PAGE_TEST_KEY }, models: [claude-sonnet-4.5] }
            """);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // This machine's network is closed: without these Chromium keeps trying to reach Google's services.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 768 } });
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);

        await page.GotoAsync(exporter.BaseUrl.ToString());
        var relay = page.Locator("section.target[data-target='relay-a']");
        await Assertions.Expect(relay).ToHaveAttributeAsync("data-state", "healthy", new() { Timeout = (float)Deadline.TotalMilliseconds });
        await Assertions.Expect(page.Locator("section.target[data-target='anthropic']")).ToBeVisibleAsync();

        using var admin = new HttpClient { BaseAddress = simulator.AdminUrl };
        (await admin.PutAsync("/_sim/faults/relay-a", new StringContent("""{"kind":"down","mode":"refused"}"""))).EnsureSuccessStatusCode();

        await Assertions.Expect(relay).ToHaveAttributeAsync("data-state", "unhealthy", new() { Timeout = (float)Deadline.TotalMilliseconds });
        await Assertions.Expect(relay.Locator("[data-field=reason]")).ToContainTextAsync("Connection refused");
        await Assertions.Expect(relay.Locator("[data-field=circuit]")).ToContainTextAsync("open");
        // Why: the check that decides the state, and the circuit that opened with the failure that opened it.
        await Assertions.Expect(relay.Locator("[data-field=state-reason]")).ToContainTextAsync("models: connect_error");
        await Assertions.Expect(relay.Locator("[data-circuit=api]")).ToContainTextAsync("connect_error");
        Assert.Equal("healthy", await page.Locator("section.target[data-target='anthropic']").GetAttributeAsync("data-state"));
        var screenshot = Path.Combine(Path.GetTempPath(), "relay-exporter-status-page.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.Empty(errors);
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
