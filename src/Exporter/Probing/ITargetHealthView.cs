namespace RelayExporter.Probing;

/// <summary>What a target's own (cheap) checks say of it, for the scheduler's choices about its paid probes.</summary>
public interface ITargetHealthView
{
    /// <summary>True while the target is healthy or degraded; false while it is unhealthy or its state unknown.</summary>
    bool IsUp(string target);
}
