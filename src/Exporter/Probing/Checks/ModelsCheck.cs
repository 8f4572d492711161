using RelayExporter.Configuration;
using RelayExporter.Protocols;

namespace RelayExporter.Probing.Checks;

/// <summary>Lists the target's models: proves the credential works and that every configured model is offered.</summary>
public sealed class ModelsCheck(HttpClient http, RunningConfig config) : IProbeCheck
{
    public string Name => CheckNames.Models;

    public async Task<CheckFindings> RunAsync(ProbeJob job, ILlmProtocol protocol, CancellationToken cancellationToken)
    {
        using var request = protocol.CreateModelsRequest(job.Target);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        using var document = await ResponseBody.ReadJsonAsync(response, config.Current.Probing.MaxBodyBytes, cancellationToken);
        var offered = protocol.ParseModelIds(document.RootElement);

        var listed = job.Target.Models.ToDictionary(m => m, offered.Contains);
        var missing = listed.Where(m => !m.Value).Select(m => m.Key).ToList();
        var status = (int)response.StatusCode;
        var findings = missing.Count == 0
            ? new CheckFindings(ProbeOutcome.Success, $"{offered.Count} models listed, all {listed.Count} configured models among them", status)
            : new CheckFindings(ProbeOutcome.ModelMissing, $"not listed: {string.Join(", ", missing)}", status);
        return findings with { ModelsListed = listed };
    }
}
