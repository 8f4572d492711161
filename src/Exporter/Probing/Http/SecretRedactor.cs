using System.Text;

namespace RelayExporter.Probing.Http;

/// <summary>
/// Takes a set of secrets out of text an upstream could have put them in. Not only whole: any
/// <see cref="MinFragment"/> characters or more of a secret in a row are replaced, so that neither a cut through a
/// secret (ours or the upstream's) nor an upstream that echoes part of one shows most of it.
/// </summary>
public sealed class SecretRedactor
{
    public const string Marker = "<redacted>";

    /// <summary>Fewer characters of a secret say too little to be worth hiding, and would match ordinary text.</summary>
    public const int MinFragment = 6;

    private readonly string[] _secrets;
    // Secrets too short to have fragments are matched whole; the others by every MinFragment characters of them.
    private readonly string[] _short;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _fragments;

    public SecretRedactor(IEnumerable<string> secrets)
    {
        // Also as it is written into a URL (a query-string key with + / = in it is sent, and traced, escaped).
        _secrets = secrets.Where(s => s.Length > 0).SelectMany(s => new[] { s, Uri.EscapeDataString(s) }).Distinct(StringComparer.Ordinal).ToArray();
        _short = _secrets.Where(s => s.Length < MinFragment).ToArray();
        _fragments = _secrets.SelectMany(s => Enumerable.Range(0, Math.Max(0, s.Length - MinFragment + 1)).Select(i => s.Substring(i, MinFragment)))
            .ToHashSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>This set and <paramref name="secret"/> (the set itself when it already holds it).</summary>
    public SecretRedactor With(string? secret) =>
        string.IsNullOrEmpty(secret) || _secrets.Contains(secret, StringComparer.Ordinal) ? this : new SecretRedactor(_secrets.Append(secret));

    /// <summary>The text with every secret, and every run of text that is part of one, replaced by <see cref="Marker"/>.</summary>
    public string Redact(string text)
    {
        text = RedactMasked(text);
        foreach (var secret in _short)
            if (text.Contains(secret, StringComparison.Ordinal)) text = text.Replace(secret, Marker, StringComparison.Ordinal);
        StringBuilder? redacted = null;
        var copied = 0;
        for (var start = 0; start + MinFragment <= text.Length;)
        {
            if (!IsFragment(text, start)) { start++; continue; }
            var end = start + MinFragment;
            while (end < text.Length && IsFragment(text, end - MinFragment + 1)) end++;
            (redacted ??= new StringBuilder(text.Length)).Append(text, copied, start - copied).Append(Marker);
            copied = start = end;
        }
        return redacted is null ? text : redacted.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>
    /// Providers quote a key they refuse masked: its first and last few characters around asterisks ("sk-ab****wxyz",
    /// "****wxyz"), too few to be found as a fragment, yet part of the key. A masked token that starts as one of ours
    /// does, or ends as one does, is replaced whole.
    /// </summary>
    private string RedactMasked(string text)
    {
        var at = text.IndexOf(Mask, StringComparison.Ordinal);
        if (at < 0) return text;
        var redacted = new StringBuilder(text.Length);
        var copied = 0;
        while (at >= 0)
        {
            var maskEnd = at;
            while (maskEnd < text.Length && text[maskEnd] == '*') maskEnd++;
            var start = at;
            while (start > copied && IsKeyCharacter(text[start - 1])) start--;
            var end = maskEnd;
            while (end < text.Length && IsKeyCharacter(text[end])) end++;
            if (StartsOrEndsASecret(text.AsSpan(start, at - start), text.AsSpan(maskEnd, end - maskEnd)))
            {
                redacted.Append(text, copied, start - copied).Append(Marker);
                copied = end;
            }
            at = text.IndexOf(Mask, end, StringComparison.Ordinal);
        }
        return copied == 0 ? text : redacted.Append(text, copied, text.Length - copied).ToString();
    }

    private const string Mask = "***";

    private static bool IsKeyCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    private bool StartsOrEndsASecret(ReadOnlySpan<char> before, ReadOnlySpan<char> after)
    {
        foreach (var secret in _secrets)
            if ((before.Length >= 2 && secret.AsSpan().StartsWith(before, StringComparison.Ordinal))
                || (after.Length >= 2 && secret.AsSpan().EndsWith(after, StringComparison.Ordinal))) return true;
        return false;
    }

    /// <summary>
    /// At most <paramref name="maxLength"/> characters of the text, then an ellipsis: redacted before the cut, which
    /// would otherwise leave the start of a secret too short to be recognised.
    /// </summary>
    public string Cut(string text, int maxLength)
    {
        text = Redact(text);
        if (text.Length <= maxLength) return text;
        if (char.IsHighSurrogate(text[maxLength - 1])) maxLength--;
        return text[..maxLength] + "…";
    }

    /// <summary>Whether a value holds a secret or part of one: such a value must not become a label value, redacted or not.</summary>
    public bool Carries(string value)
    {
        if (_short.Any(s => value.Contains(s, StringComparison.Ordinal))) return true;
        for (var start = 0; start + MinFragment <= value.Length; start++)
            if (IsFragment(value, start)) return true;
        return false;
    }

    private bool IsFragment(string text, int start) => _fragments.Contains(text.AsSpan(start, MinFragment));
}
