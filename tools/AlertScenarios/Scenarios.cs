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
        },
        new("hard-outage", "the relay's port stops listening")
        {
            Inject = faults => faults.SetAsync("""{"kind":"down","mode":"refused"}"""),
        },
        new("key-revoked", "the relay answers 401 to our key (its health document, which takes no key, still answers)")
        {
            Inject = faults => faults.SetAsync("""{"kind":"unauthorized"}"""),
        },
        new("slow-paid", "chat and stream answers take 25 s (timeout 30 s), probed at the default 5 min interval")
        {
            Inject = faults => ForEveryModel(faults, Slow25s),
        },
        new("slow-paid-drift", "as slow-paid, probed every 5 min 10 s: the probes drift against the 15 s scrape")
        {
            PaidCheckInterval = "310s",
            Inject = faults => ForEveryModel(faults, Slow25s),
        },
        new("ttft-regression", "the first token of gpt-4.1 comes after 4 s (the whole answer still well within limits)")
        {
            Inject = faults => faults.SetForModelAsync("gpt-4.1", """{"kind":"slow","delay_ms":4000}"""),
        },
        new("model-failing", "every chat and stream request for gpt-4.1 gets a 500; the relay is otherwise fine")
        {
            Inject = faults => faults.SetForModelAsync("gpt-4.1", """{"kind":"status","status":500}"""),
        },
        new("model-removed", "gpt-4.1 disappears from the relay's models list and requests for it get 404")
        {
            Inject = faults => faults.SetForModelAsync("gpt-4.1", """{"kind":"model_removed"}"""),
        },
        new("upstream-down", "the relay's health document reports provider anthropic unavailable")
        {
            Inject = faults => faults.SetAsync("""{"kind":"provider_unavailable","provider":"anthropic"}"""),
        },
        new("rate-limited", "every request gets 429 with Retry-After: 30")
        {
            Inject = faults => faults.SetAsync("""{"kind":"rate_limited","retry_after_s":30}"""),
        },
        new("flapping", "the relay answers 502 during 3 s of every 30 s: about one probe in ten fails")
        {
            Tick = Flapping(),
        },
        new("tls-expiring", "the relay's certificate expires 2 days after the recording starts")
        {
            CertificateValidity = TimeSpan.FromDays(2),
        },
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
