using RelayExporter.Configuration;

namespace RelayExporter.Probing.Checks;

/// <summary>Reads the relay's own health document: what it says about its upstream providers, nodes and queue.</summary>
public sealed class HealthCheck : IProbeCheck
{
    public string Name => CheckNames.Health;

    public async Task<CheckFindings> RunAsync(ProbeContext context, CancellationToken cancellationToken)
    {
        // The health document is not part of any provider API: no credential is sent with it.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(context.Target.BaseUri, context.Settings.Path!.TrimStart('/')));
        using var response = await context.Exchange.SendAsync(request, cancellationToken);
        using var document = await context.Exchange.ReadJsonAsync(response, cancellationToken);
        var health = RelayHealthDocument.Parse(document.RootElement, context.Exchange.Text.Secrets);

        var down = health.Providers.Where(p => p.Available == false).Select(p => p.Provider).ToList();
        var reason = $"status {health.Status ?? "not reported"}, {health.Providers.Count} providers"
            + (down.Count > 0 ? $", unavailable: {string.Join(", ", down)}" : "")
            + (health.Problems.Count > 0 ? $"; document problems: {string.Join("; ", health.Problems)}" : "");
        return new CheckFindings(ProbeOutcome.Success, reason) { Health = health };
    }
}
