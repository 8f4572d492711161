namespace RelayExporter.Configuration;

/// <summary>A relay's model and the provider target that probes the same model directly: what the relay adds is the difference.</summary>
/// <param name="Explicit">True when the relay's <c>direct</c> mapping names the provider; false when it was inferred.</param>
public sealed record DirectPair(string Target, string Model, string DirectTarget, bool Explicit);

/// <summary>A relay's model that has no direct provider to compare with, and why.</summary>
public sealed record UnpairedModel(string Target, string Model, string Reason);

/// <summary>
/// Which relay models are compared with a provider target probing the same model (relay_direct_pair_info). A relay's
/// <c>direct</c> mapping names the provider of a model; a model it does not name pairs with the one provider target that
/// probes a model of exactly that name with a chat or stream check the relay also runs, and with none when no provider
/// or several do. Names must match exactly: Prometheus joins the two targets' series on the model label.
/// </summary>
public sealed record DirectPairing(IReadOnlyList<DirectPair> Pairs, IReadOnlyList<UnpairedModel> Unpaired)
{
    public static DirectPairing Of(ExporterOptions options)
    {
        var pairs = new List<DirectPair>();
        var unpaired = new List<UnpairedModel>();
        var providers = options.Targets.Where(t => t.Kind == TargetKind.Provider).ToList();
        foreach (var relay in options.Targets.Where(t => t.Kind == TargetKind.Relay))
        {
            foreach (var model in relay.Models)
            {
                if (relay.Direct.TryGetValue(model, out var named))
                {
                    // The provider's name as its own series carry it: the join is on exact label values.
                    var provider = options.Targets.FirstOrDefault(t => string.Equals(t.Name, named, StringComparison.OrdinalIgnoreCase))?.Name ?? named;
                    pairs.Add(new DirectPair(relay.Name, model, provider, Explicit: true));
                    continue;
                }
                if (ComparedChecks(relay).Count == 0)
                {
                    unpaired.Add(new UnpairedModel(relay.Name, model, "the relay runs no chat or stream check, so there is no latency to compare"));
                    continue;
                }
                var candidates = providers.Where(p => SharedChecks(relay, p, model).Count > 0).Select(p => p.Name).ToList();
                switch (candidates.Count)
                {
                    case 1: pairs.Add(new DirectPair(relay.Name, model, candidates[0], Explicit: false)); break;
                    case 0: unpaired.Add(new UnpairedModel(relay.Name, model, "no provider target probes it with the same chat or stream check")); break;
                    default:
                        unpaired.Add(new UnpairedModel(relay.Name, model,
                            $"ambiguous: provider targets {string.Join(", ", candidates)} all probe it; name one with direct: {{ {model}: {candidates[0]} }}"));
                        break;
                }
            }
        }
        return new DirectPairing(pairs, unpaired);
    }

    /// <summary>What --config.check prints: the pairs made and the relay models left unpaired, with why; nothing without relay models.</summary>
    public IEnumerable<string> Summary()
    {
        if (Pairs.Count > 0)
            yield return "direct pairs: " + string.Join(", ", Pairs.Select(p => $"{p.Target} {p.Model} -> {p.DirectTarget} ({(p.Explicit ? "direct mapping" : "inferred")})"));
        foreach (var model in Unpaired) yield return $"not paired: {model.Target} {model.Model}: {model.Reason}";
    }

    /// <summary>Reports every entry of a <c>direct</c> mapping that cannot pair, at its own key.</summary>
    public static void Validate(ExporterOptions options, ConfigProblems problems)
    {
        var byName = options.Targets.Where(t => t.Name.Length > 0).GroupBy(t => t.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Targets.Count; i++)
        {
            var relay = options.Targets[i];
            if (relay.Direct.Count == 0) continue;
            if (relay.Kind != TargetKind.Relay)
            {
                problems.Add($"targets:{i}:direct", "only a relay target has direct providers; a provider target is the direct one");
                continue;
            }
            foreach (var (model, name) in relay.Direct)
            {
                var key = $"targets:{i}:direct:{model}";
                if (!relay.Models.Contains(model, StringComparer.Ordinal))
                    problems.Add(key, $"\"{model}\" is not one of this target's models ({string.Join(", ", relay.Models)})");
                else if (!byName.TryGetValue(name, out var provider))
                    problems.Add(key, $"no target is named \"{name}\"");
                else if (provider.Kind != TargetKind.Provider)
                    problems.Add(key, $"\"{name}\" is a relay; direct names the provider target that probes the model without a relay");
                else if (!provider.Models.Contains(model, StringComparer.Ordinal))
                    problems.Add(key, $"\"{name}\" does not probe \"{model}\" (its models: {string.Join(", ", provider.Models)}); add it there, spelled the same");
                else if (SharedChecks(relay, provider, model).Count == 0)
                    problems.Add(key, $"\"{name}\" and this target share no chat or stream check of \"{model}\", so there is nothing to compare");
            }
        }
    }

    /// <summary>The chat and stream checks both targets run for the model (none when the provider does not probe it).</summary>
    private static List<string> SharedChecks(TargetOptions relay, TargetOptions provider, string model) =>
        provider.Models.Contains(model, StringComparer.Ordinal)
            ? ComparedChecks(relay).Intersect(ComparedChecks(provider), StringComparer.OrdinalIgnoreCase).ToList()
            : [];

    private static List<string> ComparedChecks(TargetOptions target) =>
        target.EffectiveChecks.Keys.Where(k => CheckKinds.Of(k).PerModel).ToList();
}
