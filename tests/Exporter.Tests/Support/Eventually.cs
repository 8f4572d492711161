namespace RelayExporter.Tests.Support;

/// <summary>Waits for a condition with a deadline instead of sleeping and hoping.</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T?>> attempt, TimeSpan deadline, string what)
    {
        var until = DateTime.UtcNow + deadline;
        Exception? last = null;
        while (DateTime.UtcNow < until)
        {
            try
            {
                if (await attempt() is { } value) return value;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
            {
                last = e;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{what} did not happen within {deadline.TotalSeconds}s" + (last is null ? "" : $"; last error: {last.Message}"));
    }

    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan deadline, string what) =>
        ReturnsAsync<object>(async () => await condition() ? new object() : null, deadline, what);
}
