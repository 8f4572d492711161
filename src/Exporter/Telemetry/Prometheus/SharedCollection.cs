namespace RelayExporter.Telemetry.Prometheus;

/// <summary>
/// Runs at most one collection at a time: callers that arrive while a collection is running await that same result;
/// a completed result may be reused for <c>cacheDuration</c>. Failures are never cached.
/// </summary>
internal sealed class SharedCollection<T>
    where T : class
{
    private readonly Func<T> collect;
    private readonly TimeSpan cacheDuration;
    private readonly TimeProvider time;
    private readonly object gate = new();
    private TaskCompletionSource<T>? inFlight;
    private T? cached;
    private long cachedAt;
    private int collections;
    private int joined;

    public SharedCollection(Func<T> collect, TimeSpan cacheDuration, TimeProvider time)
    {
        this.collect = collect;
        this.cacheDuration = cacheDuration;
        this.time = time;
    }

    /// <summary>Number of collections started.</summary>
    public int CollectionCount => Volatile.Read(ref collections);

    /// <summary>Number of callers that joined a collection started by another caller.</summary>
    public int JoinedCount => Volatile.Read(ref joined);

    public Task<T> GetAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<T> started;
        lock (gate)
        {
            if (cached is not null && time.GetElapsedTime(cachedAt) < cacheDuration)
            {
                return Task.FromResult(cached);
            }

            if (inFlight is not null)
            {
                joined++;
                return inFlight.Task.WaitAsync(cancellationToken);
            }

            started = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            inFlight = started;
            collections++;
        }

        // The collection itself is never cancelled by one caller: others may be waiting on it.
        _ = Task.Run(() => Run(started), CancellationToken.None);
        return started.Task.WaitAsync(cancellationToken);
    }

    private void Run(TaskCompletionSource<T> completion)
    {
        T result;
        try
        {
            result = collect();
        }
        catch (Exception ex)
        {
            lock (gate)
            {
                inFlight = null;
            }

            completion.SetException(ex);
            return;
        }

        lock (gate)
        {
            inFlight = null;
            if (cacheDuration > TimeSpan.Zero)
            {
                cached = result;
                cachedAt = time.GetTimestamp();
            }
        }

        completion.SetResult(result);
    }
}
