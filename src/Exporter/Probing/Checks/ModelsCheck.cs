using RelayExporter.Configuration;
using RelayExporter.Outcomes;

namespace RelayExporter.Probing.Checks;

/// <summary>Lists the target's models: proves the credential works and that every configured model is offered.</summary>
public sealed class ModelsCheck : IProbeCheck
{
    public CheckKind Kind => CheckKinds.Models;

    public async Task<CheckFindings> RunAsync(ProbeContext context, CancellationToken cancellationToken)
    {
        using var request = context.Protocol.CreateModelsRequest(context.Target, context.Settings.Path);
        using var response = await context.Exchange.SendAsync(request, cancellationToken);
        using var document = await context.Exchange.ReadJsonAsync(response, "the models list", cancellationToken);
        var offered = context.Protocol.ParseModelIds(document.RootElement);

        var listed = context.Target.Models.Select(m => new ModelListing(m, context.Protocol.Offers(offered, m))).ToArray();
        var missing = listed.Where(m => !m.Listed).Select(m => m.Model).ToList();
        var findings = missing.Count == 0
            ? new CheckFindings(ProbeOutcome.Success, $"{offered.Count} models listed, all {listed.Length} configured models among them")
            : new CheckFindings(ProbeOutcome.ModelMissing, $"not listed: {string.Join(", ", missing)}");
        return findings with { ModelsListed = listed };
    }
}
