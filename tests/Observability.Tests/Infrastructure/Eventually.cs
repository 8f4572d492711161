using System.Diagnostics;

namespace RelayExporter.Observability.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or a deadline passes; never a blind sleep.</summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Waits until <paramref name="condition"/> returns true; throws <see cref="TimeoutException"/> naming <paramref name="what"/> otherwise.</summary>
    public static async Task UntilAsync(
        Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        await GetAsync<object>(async () => await condition() ? new object() : null, timeout, what, pollInterval, cancellationToken);
    }

    /// <summary>Synchronous-condition overload of <see cref="UntilAsync(Func{Task{bool}}, TimeSpan, string, TimeSpan?, CancellationToken)"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what, pollInterval, cancellationToken);

    /// <summary>
    /// Polls <paramref name="probe"/> until it returns non-null and returns that value. Exceptions from the probe count
    /// as "not yet" (the last one is attached to the <see cref="TimeoutException"/>), except
    /// <see cref="ProcessExitedException"/>, which ends the wait at once.
    /// </summary>
    public static async Task<T> GetAsync<T>(
        Func<Task<T?>> probe, TimeSpan timeout, string what, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
        where T : class
    {
        var stopwatch = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var value = await probe();
                if (value is not null)
                {
                    return value;
                }
            }
            catch (Exception ex) when (ex is not ProcessExitedException
                && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
            {
                last = ex;
            }

            if (stopwatch.Elapsed >= timeout)
            {
                throw new TimeoutException(
                    $"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}." + (last is null ? string.Empty : $" Last error: {last.Message}"),
                    last);
            }

            await Task.Delay(pollInterval ?? DefaultPollInterval, cancellationToken);
        }
    }
}
