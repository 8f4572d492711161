namespace RelayExporter.Simulator;

/// <summary>One request a target received. Never holds credentials: only whether any were sent.</summary>
internal sealed record LoggedRequest(DateTimeOffset Time, string Method, string Path, string? Model, bool Stream, bool AuthPresent);

internal sealed class RequestLog
{
    private const int Capacity = 1000;
    private readonly Queue<LoggedRequest> _entries = new();

    public void Add(LoggedRequest entry)
    {
        lock (_entries)
        {
            if (_entries.Count == Capacity) _entries.Dequeue();
            _entries.Enqueue(entry);
        }
    }

    public IReadOnlyList<LoggedRequest> Snapshot()
    {
        lock (_entries) return [.. _entries];
    }

    public void Clear()
    {
        lock (_entries) _entries.Clear();
    }
}
