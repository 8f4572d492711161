namespace RelayExporter.AlertScenarios;

/// <summary>The recorded scenarios. Their names are target names, fixture file names and promtool test names.</summary>
internal static class Scenarios
{
    private const string Slow25s = """{"kind":"slow","delay_ms":25000}""";

    public static IReadOnlyList<Scenario> All { get; } =
    [
        new("healthy-jittery", "healthy, latency jumping between 0 and 900 ms every 10 s; never pages")
        {
            Tick = Jitter(),
            ExtendTo = TimeSpan.FromHours(6),
        },
        new("hard-outage", "the relay's port stops listening")
        {
            Inject = faults => faults.SetAsync("""{"kind":"down","mode":"refused"}"""),
            Expected = [new("RelayTargetDown", "critical", TimeSpan.FromMinutes(2))],
        },
        new("key-revoked", "the relay answers 401 to our key (its health document, which takes no key, still answers)")
        {
            Inject = faults => faults.SetAsync("""{"kind":"unauthorized"}"""),
            Expected = [new("RelayAuthFailing", "critical", TimeSpan.FromMinutes(2))],
        },
        new("slow-paid", "chat and stream answers take 25 s (timeout 30 s), probed at the default 5 min interval")
        {
            Inject = faults => ForEveryModel(faults, Slow25s),
            Expected = SlowEverywhere,
            ExtendTo = TimeSpan.FromMinutes(30),
        },
        new("slow-paid-drift", "as slow-paid, probed every 5 min 10 s: the probes drift against the 15 s scrape")
        {
            PaidChecks = "{ interval: 310s }",
            Inject = faults => ForEveryModel(faults, Slow25s),
            Expected = SlowEverywhere,
        },
        new("ttft-regression", "the first token of gpt-4.1 comes after 4 s (the whole answer still well within limits)")
        {
            Inject = faults => faults.SetForModelAsync("gpt-4.1", """{"kind":"slow","delay_ms":4000}"""),
            Expected = [new("RelayTimeToFirstTokenHigh", "warning", TimeSpan.FromMinutes(15), ("model", "gpt-4.1"))],
            ExtendTo = TimeSpan.FromMinutes(30),
        },
        new("slow-relay", "the relay's first token of gpt-4.1 comes after 4 s; its direct provider answers as fast as ever")
        {
            WithDirectProvider = true,
            Inject = faults => faults.SetForModelAsync("gpt-4.1", """{"kind":"slow","delay_ms":4000}"""),
            // Tickets the relay's overhead, which says more than its slow first token (RelayTimeToFirstTokenHigh, inhibited).
            Expected = [new("RelayTimeToFirstTokenOverheadHigh", "warning", TimeSpan.FromMinutes(25), ("model", "gpt-4.1"))],
            ExtendTo = TimeSpan.FromMinutes(40),
        },
        new("relay-failing", "every chat and stream request for gpt-4.1 gets a 502 from the relay; its direct provider answers")
        {
            WithDirectProvider = true,
            Inject = faults => faults.SetForModelAsync("gpt-4.1", """{"kind":"status","status":502}"""),
            // Pages once, saying the relay is at fault (RelayModelDown, the same failure without the comparison, is inhibited).
            Expected = [new("RelayFailingWhileDirectOk", "critical", TimeSpan.FromMinutes(8), ("model", "gpt-4.1"))],
        },
        new("model-failing", "every chat and stream request for gpt-4.1 gets a 500; the relay is otherwise fine")
        {
            Inject = faults => faults.SetForModelAsync("gpt-4.1", """{"kind":"status","status":500}"""),
            Expected = [new("RelayModelDown", "critical", TimeSpan.FromMinutes(8), ("model", "gpt-4.1"))],
        },
        new("model-removed", "gpt-4.1 disappears from the relay's models list and requests for it get 404")
        {
            Inject = faults => faults.SetForModelAsync("gpt-4.1", """{"kind":"model_removed"}"""),
            Expected = [new("RelayModelMissing", "critical", TimeSpan.FromMinutes(3), ("model", "gpt-4.1"))],
        },
        new("upstream-down", "the relay's health document reports provider anthropic unavailable")
        {
            Inject = faults => faults.SetAsync("""{"kind":"provider_unavailable","provider":"anthropic"}"""),
            Expected = [new("RelayUpstreamProviderUnavailable", "warning", TimeSpan.FromMinutes(3), ("provider", "anthropic"))],
        },
        new("rate-limited", "every request gets 429 with Retry-After: 30")
        {
            Inject = faults => faults.SetAsync("""{"kind":"rate_limited","retry_after_s":30}"""),
            // /health and /v1/models are throttled too: clients fail alike, so it pages, naming the cause (not "down").
            Expected = [new("RelayRateLimited", "critical", TimeSpan.FromMinutes(3))],
        },
        new("flapping", "the relay answers 502 during 3 s of every 30 s: about one probe in ten fails")
        {
            Tick = Flapping(),
            Expected = [new("RelayErrorBudgetBurnFast", "critical", TimeSpan.FromMinutes(10))],
        },
        new("tls-expiring", "the relay's certificate expires 2 days after the recording starts (times from the first scrape)")
        {
            CertificateValidity = TimeSpan.FromDays(2),
            Expected = [new("RelayTLSCertificateExpiryImminent", "critical", TimeSpan.FromMinutes(12))],
        },
    ];

    /// <summary>Not recorded: the healthy scenario's series, then the exporter stops (up 0, every series it exported stale).</summary>
    public static Scenario ExporterDown { get; } = new("exporter-down", "Prometheus cannot scrape the exporter (up == 0)")
    {
        Expected = [new("RelayExporterAbsent", "critical", TimeSpan.FromMinutes(3))],
    };

    /// <summary>Chat and stream of every model: critical latency; the stream also waits for its first token.</summary>
    private static IReadOnlyList<ExpectedAlert> SlowEverywhere =>
    [
        .. Scenario.Models.SelectMany(model => new[] { "chat", "stream" }.Select(check =>
            new ExpectedAlert("RelayProbeLatencyCritical", "critical", TimeSpan.FromMinutes(15), ("check", check), ("model", model)))),
        .. Scenario.Models.Select(model =>
            new ExpectedAlert("RelayTimeToFirstTokenHigh", "warning", TimeSpan.FromMinutes(15), ("model", model))),
    ];

    /// <summary>A new random delay of 0–900 ms every 10 s, from the start.</summary>
    private static Func<FaultClient, TimeSpan, bool, Task> Jitter()
    {
        long? period = null;
        return async (faults, elapsed, _) =>
        {
            var current = (long)(elapsed.TotalSeconds / 10);
            if (current == period) return;
            period = current;
            await faults.SetAsync($$"""{"kind":"slow","delay_ms":{{Random.Shared.Next(0, 900)}}}""");
        };
    }

    /// <summary>In the fault phase, 502 for the first 3 s of every 30 s.</summary>
    private static Func<FaultClient, TimeSpan, bool, Task> Flapping()
    {
        bool? failing = null;
        return async (faults, elapsed, faultPhase) =>
        {
            var wanted = faultPhase && elapsed.TotalMilliseconds % 30_000 < 3_000;
            if (wanted == failing) return;
            failing = wanted;
            await (wanted ? faults.SetAsync("""{"kind":"status","status":502}""") : faults.ClearAsync());
        };
    }

    private static async Task ForEveryModel(FaultClient faults, string faultJson)
    {
        foreach (var model in Scenario.Models) await faults.SetForModelAsync(model, faultJson);
    }
}
