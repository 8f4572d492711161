namespace RelayExporter.Configuration;

/// <summary>Instruments published beside the exporter's own <c>relay_*</c> ones.</summary>
public sealed class MetricsOptions
{
    /// <summary>
    /// Also record chat and stream probes with the OpenTelemetry GenAI client instruments (<c>gen_ai.client.*</c>). Off by
    /// default: they repeat what the <c>relay_*</c> instruments measure, in more series per model (docs/metrics.md).
    /// </summary>
    public bool GenAi { get; set; }
}
