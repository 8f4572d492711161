using System.Text.RegularExpressions;

namespace RelayExporter.Configuration;

/// <summary>Which of Azure OpenAI's two APIs a target speaks.</summary>
public enum AzureApi
{
    /// <summary><c>/openai/deployments/{deployment}/chat/completions?api-version=…</c>: the deployment is in the path.</summary>
    Deployments,

    /// <summary><c>/openai/v1/chat/completions</c>: OpenAI's API, with the deployment as the model.</summary>
    V1,
}

/// <summary>Settings only an Azure OpenAI target has: its API, and the deployment that serves each model.</summary>
public sealed partial class AzureOptions
{
    public AzureApi Api { get; set; } = AzureApi.Deployments;

    /// <summary>Model → the name of its deployment; a model not listed is deployed under its own name.</summary>
    public Dictionary<string, string> Deployments { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex DeploymentPattern();

    public string DeploymentOf(string model) => Deployments.GetValueOrDefault(model) ?? model;

    public void Validate(string key, IReadOnlyList<string> models, ConfigProblems problems)
    {
        foreach (var (model, deployment) in Deployments)
        {
            if (!models.Contains(model, StringComparer.OrdinalIgnoreCase))
                problems.Add($"{key}:deployments:{model}", $"model \"{model}\" is not in the target's models");
            if (!DeploymentPattern().IsMatch(deployment))
                problems.Add($"{key}:deployments:{model}", $"\"{deployment}\" is not a deployment name (1-64 letters, digits, '_', '.' or '-')");
        }
    }
}
