namespace RelayExporter.Configuration;

/// <summary>Price of a model in USD per million tokens.</summary>
public sealed class ModelPrice
{
    public double Input { get; set; }
    public double Output { get; set; }

    public double CostUsd(long inputTokens, long outputTokens) => (inputTokens * Input + outputTokens * Output) / 1_000_000;

    public void Validate(string key, ConfigProblems problems)
    {
        if (Input < 0) problems.Add($"{key}:input", $"a price cannot be negative, got {Input}");
        if (Output < 0) problems.Add($"{key}:output", $"a price cannot be negative, got {Output}");
    }
}
