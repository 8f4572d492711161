using RelayExporter.Outcomes;
using RelayExporter.Probing;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Probing;

/// <summary>
/// The health documents the store keeps apart for the relay-reported gauges: always the document of the target's latest
/// health probe, so a provider the relay stops reporting, or a health probe that gets no document, takes its series away.
/// </summary>
public sealed class ProbeResultStoreTests
{
    private static readonly ProbeKey Health = new("relay", "health", null);
    private static readonly ProbeKey Models = new("relay", "models", null);
    private static readonly HashSet<(string, string)> NoModels = [];

    [Fact]
    public void The_latest_health_document_replaces_the_one_before()
    {
        var store = new ProbeResultStore();
        store.Add(HealthResult(ProbeOutcome.Success, Document("openai", "anthropic")));
        store.Add(HealthResult(ProbeOutcome.Success, Document("openai")));

        var (target, document) = Assert.Single(store.HealthDocuments);
        Assert.Equal("relay", target);
        Assert.Equal(["openai"], document.Providers.Select(p => p.Provider));
    }

    [Fact]
    public void A_health_probe_without_a_document_removes_the_target_s_document_and_other_checks_leave_it()
    {
        var store = new ProbeResultStore();
        store.Add(HealthResult(ProbeOutcome.Success, Document("openai")));

        store.Add(Result(Models, ProbeOutcome.ServerError));
        Assert.Single(store.HealthDocuments);

        store.Add(HealthResult(ProbeOutcome.Timeout, document: null));
        Assert.Empty(store.HealthDocuments);
    }

    [Fact]
    public void A_target_whose_health_check_is_no_longer_configured_loses_its_document()
    {
        var store = new ProbeResultStore();
        store.Add(HealthResult(ProbeOutcome.Success, Document("openai")));
        store.Add(Result(Models, ProbeOutcome.Success));

        store.RetainOnly(new HashSet<ProbeKey> { Health, Models }, NoModels);
        Assert.Single(store.HealthDocuments);

        store.RetainOnly(new HashSet<ProbeKey> { Models }, NoModels);
        Assert.Empty(store.HealthDocuments);
        Assert.NotNull(store.LatestOf(Models));
    }

    [Fact]
    public void A_model_no_longer_configured_leaves_the_latest_models_result_and_the_others_stay()
    {
        var store = new ProbeResultStore();
        store.Add(Result(Models, ProbeOutcome.Success) with { ModelsListed = [new("gpt-4.1", true), new("o3", false)] });

        store.RetainOnly(new HashSet<ProbeKey> { Models }, new HashSet<(string, string)> { ("relay", "gpt-4.1") });

        Assert.Equal([new ModelListing("gpt-4.1", true)], store.LatestOf(Models)!.ModelsListed);
    }

    private static ProbeResult HealthResult(ProbeOutcome outcome, RelayHealthDocument? document) =>
        Result(Health, outcome) with { Health = document };

    private static ProbeResult Result(ProbeKey key, ProbeOutcome outcome) =>
        new() { Key = key, Outcome = outcome, Reason = outcome.Label(), StartedAt = TestClock.Start };

    private static RelayHealthDocument Document(params string[] providers) =>
        new("ok", [.. providers.Select(p => new UpstreamStatus(p, true, 0.1))], null, null, [], 0);
}
