namespace RelayExporter.Tests.Infrastructure;

/// <summary>Where tests' fake clocks (Microsoft.Extensions.Time.Testing's FakeTimeProvider) start.</summary>
public static class TestClock
{
    public static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
}
