using System.Buffers;
using System.Globalization;
using System.Text;

namespace RelayExporter.Probing.Http;

/// <summary>
/// The one way text an upstream chose (bodies, error messages, headers, names) enters a probe's results, and from
/// there the log, the debug trace, the API and the status page: the process's secrets taken out before any cut, and
/// control characters escaped, so that an upstream can neither make us print a key nor forge a log line or drive the
/// operator's terminal.
/// </summary>
public sealed class UpstreamText(SecretRedactor secrets)
{
    // C0 and C1 controls (NUL, ESC, CR, LF...), and the characters that break or reorder a line on display.
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(
        Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21))
            .Concat([0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069])
            .Select(c => (char)c).ToArray());

    public SecretRedactor Secrets => secrets;

    public string Clean(string text) => Escape(secrets.Redact(text));

    /// <summary>At most <paramref name="maxLength"/> characters of the text (then an ellipsis), cleaned.</summary>
    public string Shorten(string text, int maxLength) => Escape(secrets.Cut(text, maxLength));

    /// <summary>Control and line-breaking characters as escapes (<c>\n</c>, <c>\u001b</c>); other text unchanged.</summary>
    public static string Escape(string text)
    {
        if (!text.AsSpan().ContainsAny(Unsafe)) return text;
        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (!Unsafe.Contains(c)) escaped.Append(c);
            else if (c == '\n') escaped.Append("\\n");
            else if (c == '\r') escaped.Append("\\r");
            else if (c == '\t') escaped.Append("\\t");
            else escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }
        return escaped.ToString();
    }
}
