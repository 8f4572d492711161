using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace RelayExporter.AlertScenarios;

/// <summary>The inhibit_rules (and the route's group_wait) of deploy/alertmanager/alertmanager.yml, applied as Alertmanager applies them.</summary>
internal sealed partial class Inhibitions
{
    private readonly List<Rule> rules;

    private Inhibitions(List<Rule> rules, TimeSpan groupWait)
    {
        this.rules = rules;
        GroupWait = groupWait;
    }

    /// <summary>The route's group_wait: how long Alertmanager waits before it sends a new group.</summary>
    public TimeSpan GroupWait { get; }

    public static Inhibitions Load(string path)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(path)) stream.Load(reader);
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var rules = new List<Rule>();
        foreach (YamlMappingNode rule in (YamlSequenceNode)root.Children[new YamlScalarNode("inhibit_rules")])
        {
            List<Matcher> Matchers(string key) =>
                ((YamlSequenceNode)rule.Children[new YamlScalarNode(key)]).Select(n => Matcher.Parse(((YamlScalarNode)n).Value!)).ToList();
            var equal = rule.Children.TryGetValue(new YamlScalarNode("equal"), out var e)
                ? ((YamlSequenceNode)e).Select(n => ((YamlScalarNode)n).Value!).ToList()
                : [];
            rules.Add(new Rule(Matchers("source_matchers"), Matchers("target_matchers"), equal));
        }

        var route = (YamlMappingNode)root.Children[new YamlScalarNode("route")];
        var groupWait = PromtoolTimeline.ParseDuration(((YamlScalarNode)route.Children[new YamlScalarNode("group_wait")]).Value!);
        return new Inhibitions(rules, groupWait);
    }

    /// <summary>The firing alert that inhibits <paramref name="alert"/>, or null when it is notified.</summary>
    public FiredAlert? InhibitorOf(FiredAlert alert, IEnumerable<FiredAlert> firing) =>
        firing.FirstOrDefault(source => !source.SameAlert(alert) && rules.Any(r =>
            r.Target.All(m => m.Matches(alert)) && r.Source.All(m => m.Matches(source))
            && r.Equal.All(l => alert.Labels.GetValueOrDefault(l, "") == source.Labels.GetValueOrDefault(l, ""))));

    private sealed record Rule(List<Matcher> Source, List<Matcher> Target, List<string> Equal);

    private sealed partial record Matcher(string Label, Regex Value)
    {
        public static Matcher Parse(string text)
        {
            var match = Syntax().Match(text);
            if (!match.Success) throw new FormatException($"unsupported matcher '{text}'");
            var value = Regex.Unescape(match.Groups[3].Value);
            return new Matcher(match.Groups[1].Value, new Regex(match.Groups[2].Value == "=~" ? $"^(?:{value})$" : $"^{Regex.Escape(value)}$"));
        }

        public bool Matches(FiredAlert alert) =>
            Value.IsMatch(Label == "alertname" ? alert.Name : alert.Labels.GetValueOrDefault(Label, ""));

        [GeneratedRegex("""^(\w+)(=~|=)"(.*)"$""")]
        private static partial Regex Syntax();
    }
}
