using System.Text.Json;

namespace RelayExporter.Simulator;

/// <summary>The deterministic answer, split into word tokens (one stream frame each).</summary>
internal sealed record Reply(IReadOnlyList<string> Tokens, bool Truncated)
{
    public const string FullText = "OK. This is the relay simulator answering.";
    private const string ReasoningText = "The user wants a short confirmation, so I answer OK.";

    public static IReadOnlyList<string> ReasoningTokens { get; } = Tokenize(ReasoningText);

    public string Text => string.Concat(Tokens);

    public static Reply For(int? maxTokens)
    {
        var all = Tokenize(FullText);
        var count = Math.Min(all.Count, maxTokens ?? int.MaxValue);
        return new Reply(all.Take(count).ToArray(), count < all.Count);
    }

    public static int CountWords(string? text) =>
        text?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length ?? 0;

    /// <summary>Counts the words of the string properties named in <paramref name="textProperties"/> anywhere below.</summary>
    public static int CountWords(JsonElement element, params string[] textProperties) => element.ValueKind switch
    {
        JsonValueKind.String => CountWords(element.GetString()),
        JsonValueKind.Array => element.EnumerateArray().Sum(e => CountWords(e, textProperties)),
        JsonValueKind.Object => element.EnumerateObject()
            .Where(p => textProperties.Contains(p.Name) || p.Value.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
            .Sum(p => CountWords(p.Value, textProperties)),
        _ => 0,
    };

    private static List<string> Tokenize(string text) =>
        text.Split(' ').Select((word, i) => i == 0 ? word : " " + word).ToList();
}
