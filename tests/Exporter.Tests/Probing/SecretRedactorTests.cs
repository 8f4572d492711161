using RelayExporter.Probing.Http;

namespace RelayExporter.Tests.Probing;

/// <summary>No six characters in a row of any secret the redactor holds survive it, however the text around them is cut.</summary>
public sealed class SecretRedactorTests
{
    private const string Key = "sk-QWERTZUIOPASDFGHJK";
    private const string Token = "admin-MNBVCXYLKJHG";
    private static readonly SecretRedactor Secrets = new([Key, Token]);

    [Fact]
    public void Every_secret_of_the_set_is_redacted_wherever_it_appears()
    {
        Assert.Equal("bad key <redacted>, token <redacted>.", Secrets.Redact($"bad key {Key}, token {Token}."));
    }

    [Fact]
    public void A_secret_quoted_masked_by_a_provider_is_redacted_whole_and_another_keys_mask_is_left()
    {
        var redactor = new SecretRedactor(["sk-OPENAIKEY-abcdef0123456789WXYZ"]);

        Assert.Equal($"Your api key: {SecretRedactor.Marker} is invalid; Incorrect API key provided: {SecretRedactor.Marker}. Not ours: xy-zz****0000.",
            redactor.Redact("Your api key: ****WXYZ is invalid; Incorrect API key provided: sk-OP****WXYZ. Not ours: xy-zz****0000."));
    }

    [Fact]
    public void A_secret_is_redacted_as_it_is_written_into_a_url_too()
    {
        const string secret = "AIza+SyG/EMK=EY0123+abcd/ef";
        var redactor = new SecretRedactor([secret]);

        Assert.Equal($"GET /v1beta/models?key={SecretRedactor.Marker}", redactor.Redact($"GET /v1beta/models?key={Uri.EscapeDataString(secret)}"));
    }

    [Fact]
    public void Part_of_a_secret_is_redacted_from_six_characters_on()
    {
        Assert.Equal("starts <redacted> ends", Secrets.Redact($"starts {Key[..6]} ends"));
        Assert.Equal("<redacted> at the start", Secrets.Redact($"{Key[8..]} at the start"));
        Assert.Equal("middle <redacted>!", Secrets.Redact($"middle {Key[4..15]}!"));
        Assert.Equal($"too short: {Key[..5]}", Secrets.Redact($"too short: {Key[..5]}"));
    }

    [Fact]
    public void A_cut_anywhere_through_a_secret_leaves_no_part_of_it()
    {
        var text = new string('x', 70) + Key + " trailing words";
        for (var cut = 60; cut < 70 + Key.Length + 5; cut++)
        {
            var shortened = Secrets.Cut(text, cut);
            Assert.True(shortened.Length <= cut + 1, $"cut at {cut}: {shortened}");
            Assert.DoesNotContain("QWE", shortened);
            Assert.DoesNotContain("sk-", shortened);
        }
    }

    [Fact]
    public void A_value_that_carries_part_of_a_secret_is_recognised()
    {
        Assert.True(Secrets.Carries(Key));
        Assert.True(Secrets.Carries("x" + Token[3..10]));
        Assert.False(Secrets.Carries("openai"));
        Assert.False(Secrets.Carries(Key[..5]));
    }

    [Fact]
    public void Control_characters_are_escaped_and_ordinary_text_is_left_alone()
    {
        Assert.Equal(@"a\u0000b\u001b[2Jc\nd\re\tf\u2028", UpstreamText.Escape("a\0b\u001b[2Jc\nd\re\tf\u2028"));
        Assert.Same("plain — text ✓", UpstreamText.Escape("plain — text ✓"));
    }
}
