namespace RelayExporter.Probing.Http;

/// <summary>Replaces a credential wherever an upstream could have echoed it back into text we show or log.</summary>
public static class SecretRedaction
{
    public static string? Redact(string? text, string secret) =>
        text is null || secret.Length == 0 ? text : text.Replace(secret, "<redacted>", StringComparison.Ordinal);
}
