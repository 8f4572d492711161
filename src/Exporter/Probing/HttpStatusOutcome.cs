using System.Text.Json;
using RelayExporter.Protocols;
using RelayExporter.Outcomes;

namespace RelayExporter.Probing;

/// <summary>What an HTTP error body says about the outcome beyond its status (<see cref="StatusOutcome"/>).</summary>
public static class HttpStatusOutcome
{
    /// <summary>
    /// Whether an error body says the model does not exist: its code or type is <c>model_not_found</c>, or its
    /// message names the requested model (Anthropic "model: claude-…", Gemini "models/gemini-… is not found").
    /// Any other 404 — a wrong URL says "not found" too, often with the word "model" in it — is not about the model.
    /// </summary>
    public static bool SaysModelMissing(ReadOnlySpan<byte> body, string? requestedModel)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return false;
        }
        using (document)
        {
            var root = document.RootElement;
            var error = JsonShape.Object(root, "error") ?? root;
            var message = JsonShape.String(error, "message") ?? JsonShape.String(root, "error") ?? JsonShape.String(root, "detail");
            return new[] { JsonShape.Text(error, "code"), JsonShape.String(error, "type"), JsonShape.String(error, "status") }
                       .Any(v => string.Equals(v, "model_not_found", StringComparison.OrdinalIgnoreCase)
                                 || string.Equals(v, "DeploymentNotFound", StringComparison.OrdinalIgnoreCase))
                   || (requestedModel is not null && message?.Contains(requestedModel, StringComparison.OrdinalIgnoreCase) == true);
        }
    }
}
