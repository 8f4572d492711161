using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;

namespace RelayExporter.Simulator;

/// <summary>Runs the simulated targets and the admin API in-process.</summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _admin;
    private bool _disposed;

    private SimulatorHost(WebApplication admin, IReadOnlyList<SimulatedTarget> targets)
    {
        _admin = admin;
        Targets = targets;
        AdminUrl = KestrelApp.BoundUrl(admin);
    }

    public Uri AdminUrl { get; }

    public IReadOnlyList<SimulatedTarget> Targets { get; }

    /// <summary>Base URL of the target, e.g. http://127.0.0.1:41235.</summary>
    public Uri TargetUrl(string targetName) =>
        Targets.FirstOrDefault(t => t.Name == targetName)?.Url
        ?? throw new ArgumentException($"unknown target '{targetName}'", nameof(targetName));

    public static async Task<SimulatorHost> StartAsync(SimulatorOptions options, CancellationToken ct = default)
    {
        var address = Validate(options);
        var targets = options.Targets.Select(d => new SimulatedTarget(d, address, options.LogLevel, options.Certificate)).ToList();
        try
        {
            for (var i = 0; i < targets.Count; i++)
                await targets[i].StartAsync(options.BasePort == 0 ? 0 : options.BasePort + i, ct);
            var admin = AdminApi.Build(address, options.AdminPort, options.LogLevel, targets);
            await admin.StartAsync(ct);
            return new SimulatorHost(admin, targets);
        }
        catch
        {
            await Task.WhenAll(targets.Select(t => t.StopAsync()));
            throw;
        }
    }

    /// <summary>The JSON of the ready line: admin and target base URLs.</summary>
    internal string DescribeUrls()
    {
        var targets = new JsonObject();
        foreach (var target in Targets) targets[target.Name] = target.Url.GetLeftPart(UriPartial.Authority);
        return new JsonObject { ["admin"] = AdminUrl.GetLeftPart(UriPartial.Authority), ["targets"] = targets }.ToJsonString(Wire.JsonOptions);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _admin.StopAsync();
        await _admin.DisposeAsync();
        await Task.WhenAll(Targets.Select(t => t.StopAsync()));
    }

    private static IPAddress Validate(SimulatorOptions options)
    {
        if (!IPAddress.TryParse(options.Host, out var address))
            throw new ArgumentException($"Host must be an IP address, got '{options.Host}'", nameof(options));
        if (options.AdminPort is < 0 or > 65535)
            throw new ArgumentException($"AdminPort must be 0-65535, got {options.AdminPort}", nameof(options));
        if (options.BasePort < 0 || options.BasePort + options.Targets.Count - 1 > 65535)
            throw new ArgumentException($"BasePort {options.BasePort} leaves no room for {options.Targets.Count} targets", nameof(options));
        if (options.AdminPort != 0 && options.BasePort != 0
            && options.AdminPort >= options.BasePort && options.AdminPort < options.BasePort + options.Targets.Count)
            throw new ArgumentException($"AdminPort {options.AdminPort} collides with the target ports", nameof(options));
        if (options.Targets.Count == 0)
            throw new ArgumentException("at least one target is needed", nameof(options));
        var duplicate = options.Targets.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"target name '{duplicate.Key}' is used twice", nameof(options));
        return address;
    }
}
