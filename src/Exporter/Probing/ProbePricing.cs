using System.Globalization;
using System.Text;
using RelayExporter.Configuration;

namespace RelayExporter.Probing;

/// <summary>What a paid probe costs: from the usage its answer reports, or at most, from its prompt and max_tokens.</summary>
public static class ProbePricing
{
    /// <summary>Tokens the message framing adds around the prompt (role markers, the start of the reply): a few at every provider.</summary>
    public const int FramingTokens = 16;

    /// <summary>No tokenizer makes more tokens of a text than it has UTF-8 bytes (byte-level BPE, SentencePiece byte fallback).</summary>
    public static long PromptTokensAtMost(string prompt) => Encoding.UTF8.GetByteCount(prompt) + FramingTokens;

    /// <summary>The most one probe with these settings can cost: its prompt and all of its max_tokens billed.</summary>
    public static double UpperBoundUsd(ModelPrice price, CheckOptions settings) =>
        price.CostUsd(PromptTokensAtMost(settings.Prompt!), settings.MaxTokens!.Value);

    /// <summary>
    /// What the probe cost; null when it got no answer or its model has no price. A count the answer does not report is
    /// taken at its most (the prompt's bound, max_tokens): the answer was billed all the same, and the budget must hold.
    /// </summary>
    public static double? CostUsd(ExporterOptions options, ProbeJob job, GenerationFindings? generation)
    {
        if (job.Model is null || generation is null || options.PriceOf(job.Target, job.Model) is not { } price) return null;
        return price.CostUsd(generation.Usage?.InputTokens ?? PromptTokensAtMost(job.Settings.Prompt!),
            generation.Usage?.OutputTokens ?? job.Settings.MaxTokens!.Value);
    }

    public static string Usd(double value) => "$" + value.ToString(value >= 0.01 || value == 0 ? "0.00##" : "0.00######", CultureInfo.InvariantCulture);
}
