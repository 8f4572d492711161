using System.Text.RegularExpressions;
using RelayExporter.Outcomes;
using RelayExporter.Probing.Http;
using RelayExporter.Protocols;

namespace RelayExporter.Probing.Checks;

/// <summary>
/// Whether the model a chat answer names is the one the probe asked for (<see cref="ModelNames.IsSame"/>): a gateway that
/// answers for a model it does not have with another model's reply has not served the request.
/// </summary>
public static partial class AnsweringModel
{
    /// <summary>Throws a <see cref="ProbeOutcome.ModelSubstituted"/> failure when the answer names another model.</summary>
    public static void Verify(string requested, string? answered)
    {
        if (string.IsNullOrWhiteSpace(answered) || ModelNames.IsSame(requested, answered)) return;
        throw new ProbeFailure(ProbeOutcome.ModelSubstituted, $"asked for {requested}, answered by {answered}");
    }

    /// <summary>
    /// The answering model as a label value (<c>gen_ai.response.model</c>); null when the answer names none, or a name no
    /// label may carry: one holding a credential, over 63 characters, or with characters other than letters, digits and
    /// <c>_ . : / -</c>.
    /// </summary>
    public static string? AsLabel(string? answered, SecretRedactor secrets) =>
        answered is not null && UpstreamValueRefusal.Of(answered, LabelValue(), secrets) is null ? answered : null;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:/-]*$")]
    private static partial Regex LabelValue();
}
