using System.Diagnostics;

namespace RelayExporter.Simulator;

internal readonly record struct RateLimitSnapshot(int RequestLimit, int RequestsRemaining, int TokenLimit, int TokensRemaining, TimeSpan ResetIn)
{
    public static RateLimitSnapshot Exhausted(TimeSpan resetIn) =>
        new(RateLimitCounter.RequestLimit, 0, RateLimitCounter.TokenLimit, 0, resetIn);
}

/// <summary>A fixed one-minute window whose remaining requests and tokens count down with each answered request.</summary>
internal sealed class RateLimitCounter
{
    public const int RequestLimit = 10_000;
    public const int TokenLimit = 2_000_000;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private long _windowStart = Stopwatch.GetTimestamp();
    private int _requests;
    private int _tokens;

    public RateLimitSnapshot Take(int tokens)
    {
        lock (_lock)
        {
            var elapsed = Stopwatch.GetElapsedTime(_windowStart);
            if (elapsed >= Window)
            {
                _windowStart = Stopwatch.GetTimestamp();
                elapsed = TimeSpan.Zero;
                _requests = 0;
                _tokens = 0;
            }
            _requests = Math.Min(_requests + 1, RequestLimit);
            _tokens = Math.Min(_tokens + tokens, TokenLimit);
            return new(RequestLimit, RequestLimit - _requests, TokenLimit, TokenLimit - _tokens, Window - elapsed);
        }
    }
}
