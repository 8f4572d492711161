using System.Text.RegularExpressions;

namespace RelayExporter.Protocols;

/// <summary>
/// Whether two names mean the same model. Providers legitimately name a dated or numbered version of the model asked
/// for, or prefix the name (<c>models/</c>); none of that is another model.
/// </summary>
public static partial class ModelNames
{
    public static bool IsSame(string requested, string answered)
    {
        var (asked, named) = (Normalise(requested), Normalise(answered));
        if (asked == named || IsVersionOf(asked, named) || IsVersionOf(named, asked)) return true;
        // An alias for the current version (gemini-flash-latest) is answered by that version's full name
        // (gemini-2.5-flash-preview-09-2025): every part of the alias is in it.
        return asked.EndsWith(Latest, StringComparison.Ordinal) && asked[..^Latest.Length].Split('-').All(named.Split('-').Contains);
    }

    private const string Latest = "-latest";

    /// <summary>
    /// The last path segment (<c>models/gemini-2.5-flash</c>, <c>openai/gpt-4.1</c>), in lower case, dots as dashes
    /// (<c>claude-sonnet-4.5</c> is <c>claude-sonnet-4-5</c>).
    /// </summary>
    private static string Normalise(string model) => model[(model.LastIndexOf('/') + 1)..].Trim().ToLowerInvariant().Replace('.', '-');

    /// <summary><c>gpt-4.1-2025-04-14</c>, <c>claude-sonnet-4-5-20250929</c>, <c>gemini-1.5-flash-002</c>, <c>gpt-4-0613</c>.</summary>
    private static bool IsVersionOf(string name, string versioned)
    {
        var stem = name.EndsWith(Latest, StringComparison.Ordinal) ? name[..^Latest.Length] : name;
        return versioned.StartsWith(stem + "-", StringComparison.Ordinal) && VersionSuffix().IsMatch(versioned[(stem.Length + 1)..]);
    }

    // A date or a version number only: gpt-4 answered by gpt-4-1 (gpt-4.1) or gpt-4o-mini is another model.
    [GeneratedRegex(@"^([0-9]{8}|[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{3,4})$")]
    private static partial Regex VersionSuffix();
}
