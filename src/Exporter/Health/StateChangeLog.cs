using Microsoft.Extensions.Hosting;
using Polly.CircuitBreaker;
using RelayExporter.Circuits;

namespace RelayExporter.Health;

/// <summary>
/// Logs, at info and with their reason, the changes an operator follows an incident by: a target or a model became
/// degraded or unhealthy or recovered, a circuit opened, half-opened (a trial probe) or closed. Read in order, the log of
/// an incident is its timeline; each probe's own outcome is at debug.
/// </summary>
public sealed partial class StateChangeLog : IHostedService
{
    private readonly ILogger<StateChangeLog> _log;
    private readonly CircuitBoard _circuits;

    public StateChangeLog(HealthBoard health, CircuitBoard circuits, ILogger<StateChangeLog> log)
    {
        _log = log;
        _circuits = circuits;
        health.Changed += OnHealthChanged;
        circuits.Transitioned += OnCircuitTransitioned;
    }

    private void OnHealthChanged(HealthChange change)
    {
        var subject = change.Model is null ? $"target {change.Target}" : $"model {change.Model} on {change.Target}";
        var state = change.After.State.Label();
        var reason = change.After.Reason ?? "no reason given";
        if (change.After.State == HealthState.Healthy && change.Before is HealthState.Degraded or HealthState.Unhealthy)
            LogRecovered(_log, subject, change.Before.Label(), reason);
        else
            LogBecame(_log, subject, state, change.Before.Label(), reason);
    }

    private void OnCircuitTransitioned(CircuitKey key, CircuitState state)
    {
        var circuit = key.Model is null ? $"{key.Scope.Label()} circuit of {key.Target}" : $"model circuit of {key.Model} on {key.Target}";
        var found = _circuits.Find(key);
        switch (state)
        {
            case CircuitState.Open:
                LogOpened(_log, circuit, found?.OpenUntil?.ToString("HH:mm:ss'Z'") ?? "unknown", found?.OpenedBy ?? "no failure recorded");
                break;
            case CircuitState.Isolated:
                LogIsolated(_log, circuit);
                break;
            case CircuitState.HalfOpen:
                LogHalfOpened(_log, circuit);
                break;
            default:
                LogClosed(_log, circuit);
                break;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "The {Subject} became {State} (was {Before}): {Reason}")]
    private static partial void LogBecame(ILogger logger, string subject, string state, string before, string reason);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "The {Subject} recovered: healthy again (was {Before}): {Reason}")]
    private static partial void LogRecovered(ILogger logger, string subject, string before, string reason);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "The {Circuit} opened until {OpenUntil}, its probes are not sent until then: {OpenedBy}")]
    private static partial void LogOpened(ILogger logger, string circuit, string openUntil, string openedBy);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "The {Circuit} half-opened: one trial probe goes through")]
    private static partial void LogHalfOpened(ILogger logger, string circuit);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "The {Circuit} closed: its probes are sent again")]
    private static partial void LogClosed(ILogger logger, string circuit);

    [LoggerMessage(EventId = 113, Level = LogLevel.Information, Message = "The {Circuit} was isolated by an operator: its probes are not sent until it is closed")]
    private static partial void LogIsolated(ILogger logger, string circuit);
}
