using System.Text.Json;
using RelayExporter.Configuration;
using RelayExporter.Protocols;
using RelayExporter.Outcomes;

namespace RelayExporter.Probing.Checks;

/// <summary>
/// Reads the relay's own health document: its own verdict (the status field), what it says about its upstream
/// providers, nodes and queue. With <c>document: none</c>, only the status code counts.
/// </summary>
public sealed class HealthCheck : IProbeCheck
{
    public CheckKind Kind => CheckKinds.Health;

    public async Task<CheckFindings> RunAsync(ProbeContext context, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        // The health document is not part of any provider API: no credential is sent with it, only the target's headers
        // (a gateway's own key guards its health endpoint too).
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(context.Target.BaseUri, settings.Path!.TrimStart('/')));
        ProtocolRequests.AddTargetHeaders(request, context.Target);
        using var response = await context.Exchange.SendWithoutCredentialAsync(request, cancellationToken);
        if (settings.Document == HealthDocument.None)
        {
            await context.Exchange.ThrowIfNotSuccessAsync(response, cancellationToken);
            await context.Exchange.ReadBodyAsync(response, cancellationToken);
            return new CheckFindings(ProbeOutcome.Success, $"HTTP {(int)response.StatusCode} (document: none, the body is not read)");
        }
        using var document = await context.Exchange.ReadJsonAsync(response, cancellationToken);
        var health = RelayHealthDocument.Parse(document.RootElement, context.Exchange.Text.Secrets);

        var down = health.Providers.Where(p => p.Available == false).Select(p => p.Provider).ToList();
        var details = $"{health.Providers.Count} providers"
            + (down.Count > 0 ? $", unavailable: {string.Join(", ", down)}" : "")
            + (health.Problems.Count > 0 ? $"; document problems: {string.Join("; ", health.Problems)}" : "");
        var (verdict, said) = Verdict(document.RootElement, settings);
        // The value goes into a reason that people read: a hostile relay's long value is cut, after its secrets are out.
        var status = said is null ? $"{settings.StatusField} not reported" : $"{settings.StatusField} \"{context.Exchange.Text.Shorten(said, 40)}\"";
        return verdict switch
        {
            DocumentVerdict.Down => new CheckFindings(ProbeOutcome.UpstreamDown, $"the health document says it is down: {status}, {details}") { Health = health },
            DocumentVerdict.Degraded => new CheckFindings(ProbeOutcome.Success, $"the health document says it is degraded: {status}, {details}") { Health = health, Degraded = true },
            DocumentVerdict.Unrecognised => new CheckFindings(ProbeOutcome.Success, $"{status} is none of the configured status values, {details}") { Health = health },
            _ => new CheckFindings(ProbeOutcome.Success, $"{status}, {details}") { Health = health },
        };
    }

    private enum DocumentVerdict { NotReported, Healthy, Degraded, Down, Unrecognised }

    /// <summary>What the document's status field says, by the configured values; a string, or a boolean read as true/false.</summary>
    private static (DocumentVerdict Verdict, string? Said) Verdict(JsonElement root, CheckOptions settings)
    {
        var field = root;
        foreach (var name in settings.StatusField!.Split('.'))
            if (field.ValueKind != JsonValueKind.Object || !field.TryGetProperty(name, out field)) return (DocumentVerdict.NotReported, null);
        var said = field.ValueKind switch
        {
            JsonValueKind.String => field.GetString()!,
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
        if (said is null) return (DocumentVerdict.NotReported, null);
        bool Listed(List<string>? values) => values?.Contains(said, StringComparer.OrdinalIgnoreCase) == true;
        var verdict = Listed(settings.DownValues) ? DocumentVerdict.Down
            : Listed(settings.DegradedValues) ? DocumentVerdict.Degraded
            : Listed(settings.HealthyValues) ? DocumentVerdict.Healthy
            : DocumentVerdict.Unrecognised;
        return (verdict, said);
    }
}
