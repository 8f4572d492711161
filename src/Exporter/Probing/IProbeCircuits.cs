namespace RelayExporter.Probing;

/// <summary>Runs a probe through its circuit, which counts its outcome and, while open, holds it back.</summary>
public interface IProbeCircuits
{
    /// <returns>The probe's result; while its circuit is open, a result that says it was not sent (circuit_open).</returns>
    Task<ProbeResult> ExecuteAsync(ProbeJob job, Func<CancellationToken, Task<ProbeResult>> probe, CancellationToken cancellationToken);
}
