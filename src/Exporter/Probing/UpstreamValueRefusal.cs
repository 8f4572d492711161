using System.Text.RegularExpressions;
using RelayExporter.Probing.Http;

namespace RelayExporter.Probing;

/// <summary>
/// Why a value an upstream chose may not become a label value: the <c>reason</c> label of
/// <c>relay_upstream_values_refused_total</c>. Every upstream-chosen label value passes <see cref="Of"/> first.
/// </summary>
public static class UpstreamValueRefusal
{
    /// <summary>The value holds one of the process's secrets, or a fragment of one.</summary>
    public const string Secret = "secret";
    public const string TooLong = "too_long";
    /// <summary>Characters outside the value's set (letters, digits and a little punctuation), or empty.</summary>
    public const string InvalidCharacters = "invalid_characters";

    public const int MaxLength = 63;

    public static IReadOnlyList<string> All { get; } = [Secret, TooLong, InvalidCharacters];

    /// <returns>Why the value is refused, or null when it may be a label value.</returns>
    public static string? Of(string value, Regex allowed, SecretRedactor secrets) =>
        secrets.Carries(value) ? Secret
        : value.Length > MaxLength ? TooLong
        : !allowed.IsMatch(value) ? InvalidCharacters
        : null;
}
