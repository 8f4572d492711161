namespace RelayExporter.Probing;

/// <summary>
/// Records what probes found: the result store, the Retry-After pauses, health, metrics, the day's spend. A sink is told
/// every result, a probe held back by its circuit too (<see cref="Outcomes.ProbeOutcomeSending.WasSent"/> says which);
/// <see cref="ProbeRecording"/> says which results it is told, and in what order.
/// </summary>
public interface IProbeResultSink
{
    void Record(ProbeResult result, ProbeJob job);
}
