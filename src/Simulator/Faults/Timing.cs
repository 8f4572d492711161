using System.Diagnostics;

namespace RelayExporter.Simulator;

internal static class Timing
{
    private static readonly TimeSpan SpinWindow = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// Waits until <paramref name="delayMs"/> after <paramref name="start"/> to the millisecond:
    /// timers can fire late by a millisecond or more, so the last ~2 ms are spun on the stopwatch.
    /// </summary>
    public static async Task WaitUntilAsync(long start, int delayMs, CancellationToken ct)
    {
        var due = start + delayMs * Stopwatch.Frequency / 1000;
        var coarse = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due) - SpinWindow;
        if (coarse > TimeSpan.Zero) await Task.Delay(coarse, ct);
        while (Stopwatch.GetTimestamp() < due)
        {
            ct.ThrowIfCancellationRequested();
            Thread.SpinWait(20);
        }
    }
}
