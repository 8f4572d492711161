using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace RelayExporter.Simulator;

/// <summary>One simulated relay or provider, listening on its own port so that it can go down on its own.</summary>
[SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose.")]
public sealed class SimulatedTarget
{
    private readonly IPAddress _address;
    private readonly LogLevel _logLevel;
    private readonly X509Certificate2? _certificate;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private WebApplication? _app;

    internal SimulatedTarget(TargetDefinition definition, IPAddress address, LogLevel logLevel, X509Certificate2? certificate)
    {
        _certificate = certificate;
        Definition = definition;
        _address = address;
        _logLevel = logLevel;
    }

    public TargetDefinition Definition { get; }

    public string Name => Definition.Name;

    /// <summary>Base URL, without a version segment. Stays the same while the target is down.</summary>
    public Uri Url { get; private set; } = null!;

    public bool IsListening => _app is not null;

    internal FaultTable Faults { get; } = new();

    internal RequestLog Requests { get; } = new();

    internal RateLimitCounter RateLimits { get; } = new();

    internal async Task StartAsync(int port, CancellationToken ct)
    {
        var builder = KestrelApp.CreateBuilder(_address, port, _logLevel, _certificate);
        // Cut streams end short of their Content-Length on purpose; Kestrel would log each one as an error.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Critical);
        var app = builder.Build();
        var handler = new TargetHandler(this, app.Lifetime.ApplicationStopping);
        app.Run(handler.HandleAsync);
        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        _app = app;
        Url = KestrelApp.BoundUrl(app);
    }

    internal async Task StopAsync()
    {
        if (_app is not { } app) return;
        _app = null;
        await app.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>Sets (or with a null fault clears) a fault; a target-level refusal closes the port, and lifting it reopens the same port.</summary>
    internal async Task SetFaultAsync(string? model, Fault? fault)
    {
        await _gate.WaitAsync();
        try
        {
            Faults.Set(model, fault);
            if (model is null) await ListenAsync(fault is not DownFault { Mode: DownMode.Refused });
        }
        finally
        {
            _gate.Release();
        }
    }

    internal async Task ClearFaultsAsync()
    {
        await _gate.WaitAsync();
        try
        {
            Faults.Clear();
            await ListenAsync(true);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ListenAsync(bool listen)
    {
        if (listen && !IsListening) await StartAsync(Url.Port, CancellationToken.None);
        else if (!listen && IsListening) await StopAsync();
    }
}
