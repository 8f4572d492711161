using RelayExporter.Configuration;
using RelayExporter.Probing;

namespace RelayExporter.Tests.Configuration;

/// <summary>What a check is — per model, paid, its built-in settings — comes from its kind, whatever the configuration calls it.</summary>
public sealed class CheckKindTests
{
    [Fact]
    public void A_check_named_in_another_case_runs_as_its_kind_once_per_model_with_its_kinds_settings()
    {
        var path = Path.Combine(Path.GetTempPath(), $"relay-exporter-check-kind-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, """
            targets:
              - { name: t, protocol: openai, base_url: "https://relay.example.com", models: [a, b], checks: { Chat: {}, MODELS: {} } }
            """);
        try
        {
            var plan = ProbePlan.From(ConfigLoader.Load(path));

            Assert.Equal(["chat/a", "chat/b", "models/"], plan.Select(j => $"{j.Check}/{j.Model}").Order());
            Assert.All(plan.Where(j => j.Check == "chat"), job =>
                Assert.Equal((CheckKinds.Chat.Defaults.Interval, CheckKinds.Chat.Defaults.MaxTokens), (job.Settings.Interval, job.Settings.MaxTokens)));
            Assert.True(CheckKinds.Of(plan.Single(j => j.Check == "chat" && j.Model == "a").Check).Paid);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Every_kind_is_found_by_its_name_in_any_case_and_an_unknown_one_is_named_with_the_known_ones()
    {
        Assert.All(CheckKinds.All, kind => Assert.Same(kind, CheckKinds.Find(kind.Name.ToUpperInvariant())));
        Assert.Null(CheckKinds.Find("embeddings"));
        Assert.Equal("unknown check \"embeddings\"; known checks: health, models, chat, stream", CheckKinds.UnknownReason("embeddings"));
    }
}
