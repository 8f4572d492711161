using System.Diagnostics;

namespace RelayExporter.Probing.Http;

/// <summary>
/// Times TLS handshakes from .NET's own activities. A connection's setup activity is a root of its own (not a child
/// of the request), so the connect callback stores the probe's trace on it, and the handshake below it finds it there.
/// </summary>
/// <remarks>
/// .NET 10's TLS handshake activity stops long before the handshake ends (2–60 µs for a 2 ms handshake), so it only
/// says that a handshake happened. Its time is the connection setup's (connect callback, then handshake) less what the
/// connect callback measured (DNS and TCP connect).
/// </remarks>
internal sealed class TlsHandshakeListener : IDisposable
{
    public const string TraceProperty = "relay.probe.trace";
    private const string ConnectionsSource = "Experimental.System.Net.Http.Connections";
    private const string SecuritySource = "Experimental.System.Net.Security";

    private readonly ActivityListener _listener;

    public TlsHandshakeListener()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is ConnectionsSource or SecuritySource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (TraceOf(activity) is not { } trace) return;
                if (activity.Source.Name == SecuritySource) trace.Tls = TimeSpan.Zero; // a handshake happened; timed below
                else if (trace.Tls is not null && activity.OperationName.EndsWith(".ConnectionSetup", StringComparison.Ordinal))
                    trace.Tls = TimeSpan.FromTicks(Math.Max(0, (activity.Duration - (trace.Dns ?? TimeSpan.Zero) - (trace.Connect ?? TimeSpan.Zero)).Ticks));
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The trace of the probe whose connection is being set up on this flow, if any.</summary>
    public static ProbeTrace? CurrentTrace() => Activity.Current is { } current ? TraceOf(current) : null;

    private static ProbeTrace? TraceOf(Activity activity)
    {
        for (var a = activity; a is not null; a = a.Parent)
            if (a.GetCustomProperty(TraceProperty) is ProbeTrace trace) return trace;
        return null;
    }

    public void Dispose() => _listener.Dispose();
}
