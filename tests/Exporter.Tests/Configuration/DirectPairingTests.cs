using RelayExporter.Configuration;

namespace RelayExporter.Tests.Configuration;

public class DirectPairingTests
{
    [Fact]
    public void A_relay_model_pairs_with_the_one_provider_target_that_probes_it_with_the_same_check()
    {
        var options = Load("""
            targets:
              - { name: relay-a, kind: relay, protocol: openai, base_url: "http://127.0.0.1:1", models: [gpt-4.1, o3], checks: { stream: {} } }
              - { name: openai, protocol: openai, base_url: "http://127.0.0.1:2", models: [gpt-4.1, o3], checks: { stream: {}, chat: {} } }
              - { name: openai-chat-only, protocol: openai, base_url: "http://127.0.0.1:3", models: [gpt-4.1], checks: { chat: {} } }
            """);

        var pairing = DirectPairing.Of(options);

        Assert.Equal([new DirectPair("relay-a", "gpt-4.1", "openai", Explicit: false), new DirectPair("relay-a", "o3", "openai", Explicit: false)], pairing.Pairs);
        Assert.Empty(pairing.Unpaired);
    }

    [Fact]
    public void An_ambiguous_or_absent_provider_leaves_the_model_unpaired_and_says_why()
    {
        var options = Load("""
            targets:
              - { name: relay-a, kind: relay, protocol: openai, base_url: "http://127.0.0.1:1", models: [gpt-4.1, GPT-4.1-mini, claude-x], checks: { chat: {} } }
              - { name: relay-b, kind: relay, protocol: openai, base_url: "http://127.0.0.1:2", models: [gpt-4.1] }
              - { name: openai, protocol: openai, base_url: "http://127.0.0.1:3", models: [gpt-4.1, gpt-4.1-mini], checks: { chat: {} } }
              - { name: azure, protocol: openai, base_url: "http://127.0.0.1:4", models: [gpt-4.1], checks: { chat: {} } }
            """);

        var pairing = DirectPairing.Of(options);

        Assert.Empty(pairing.Pairs);
        Assert.Equal(
        [
            new UnpairedModel("relay-a", "gpt-4.1", "ambiguous: provider targets openai, azure all probe it; name one with direct: { gpt-4.1: openai }"),
            // Names must match exactly: the rules join the two targets' series on the model label.
            new UnpairedModel("relay-a", "GPT-4.1-mini", "no provider target probes it with the same chat or stream check"),
            new UnpairedModel("relay-a", "claude-x", "no provider target probes it with the same chat or stream check"),
            new UnpairedModel("relay-b", "gpt-4.1", "the relay runs no chat or stream check, so there is no latency to compare"),
        ], pairing.Unpaired);
    }

    [Fact]
    public void A_direct_mapping_settles_an_ambiguous_model_with_the_provider_name_as_its_series_carry_it()
    {
        var options = Load("""
            targets:
              - { name: relay-a, kind: relay, protocol: openai, base_url: "http://127.0.0.1:1", models: [gpt-4.1], checks: { chat: {} }, direct: { gpt-4.1: Azure } }
              - { name: openai, protocol: openai, base_url: "http://127.0.0.1:3", models: [gpt-4.1], checks: { chat: {} } }
              - { name: azure, protocol: openai, base_url: "http://127.0.0.1:4", models: [gpt-4.1], checks: { chat: {} } }
            """);

        var pairing = DirectPairing.Of(options);

        Assert.Equal([new DirectPair("relay-a", "gpt-4.1", "azure", Explicit: true)], pairing.Pairs);
        Assert.Equal(["direct pairs: relay-a gpt-4.1 -> azure (direct mapping)"], pairing.Summary());
    }

    [Fact]
    public void A_configuration_without_relay_models_pairs_nothing_and_says_nothing()
    {
        var options = Load("""
            targets:
              - { name: openai, protocol: openai, base_url: "http://127.0.0.1:3", models: [gpt-4.1], checks: { chat: {} } }
            """);

        Assert.Empty(DirectPairing.Of(options).Summary());
    }

    private static ExporterOptions Load(string yaml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"relay-exporter-pairing-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, yaml);
        try
        {
            return ConfigLoader.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
