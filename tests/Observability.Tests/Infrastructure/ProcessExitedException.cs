namespace RelayExporter.Observability.Tests.Infrastructure;

/// <summary>An external process a test depended on exited early; <see cref="Eventually"/> does not retry past it.</summary>
public sealed class ProcessExitedException(string message) : Exception(message);
