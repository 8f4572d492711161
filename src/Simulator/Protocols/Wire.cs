using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RelayExporter.Simulator;

/// <summary>Small helpers shared by the protocols.</summary>
internal static class Wire
{
    /// <summary>Writes quotes, apostrophes and '+' as themselves, as the real APIs do.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewId(string prefix) =>
        prefix + string.Create(24, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = Alphabet[Random.Shared.Next(Alphabet.Length)];
        });

    public static long UnixNow() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>A positive integer property; <c>Invalid</c> when present but not a positive integer.</summary>
    public static (int? Value, bool Invalid) PositiveInt(JsonElement? parent, string name)
    {
        if (parent is not { ValueKind: JsonValueKind.Object } p || !p.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            return (null, false);
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n > 0 ? (n, false) : (null, true);
    }

    public static JsonElement? Property(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var v) ? v : null;

    /// <summary>"claude-sonnet-4.5" → "Claude Sonnet 4.5".</summary>
    public static string DisplayName(string model) => string.Join(' ', model.Split('-').Select(part => part switch
    {
        "gpt" => "GPT",
        "deepseek" => "DeepSeek",
        _ => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(part),
    }));

    public static string OwnerOf(string model) => model.Split('-')[0] switch
    {
        "claude" => "anthropic",
        "gemini" => "google",
        "deepseek" => "deepseek",
        _ => "openai",
    };
}
