using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RelayExporter.Observability.Tests.Infrastructure;

/// <summary>One alert of an Alertmanager webhook notification.</summary>
public sealed record NotifiedAlert(string Status, IReadOnlyDictionary<string, string> Labels)
{
    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;
}

/// <summary>One webhook POST from Alertmanager: where it went, when it arrived, and its payload.</summary>
public sealed record Notification(string Path, TimeSpan ArrivedAt, string Status, IReadOnlyDictionary<string, string> GroupLabels,
    IReadOnlyList<NotifiedAlert> Alerts, string Body)
{
    public override string ToString() => $"{ArrivedAt.TotalSeconds:0.0}s {Path} {Status} {Body}";
}

/// <summary>A Kestrel endpoint on 127.0.0.1 (port chosen by the system) that records Alertmanager's webhook POSTs.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<Notification> notifications = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();

    private WebhookReceiver(WebApplication app) => this.app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The time on the receiver's clock, to compare with <see cref="Notification.ArrivedAt"/>.</summary>
    public TimeSpan Now => clock.Elapsed;

    public IReadOnlyList<Notification> Notifications => notifications.ToArray();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            receiver.Record(context.Request.Path, body);
            return Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.BaseUrl = new Uri(address);
        return receiver;
    }

    /// <summary>Waits for a notification matching <paramref name="predicate"/>; the timeout message lists what did arrive.</summary>
    public async Task<Notification> WaitForAsync(Func<Notification, bool> predicate, TimeSpan timeout, string what)
    {
        try
        {
            return await Eventually.GetAsync(() => Task.FromResult(Notifications.FirstOrDefault(predicate)), timeout, what,
                TimeSpan.FromMilliseconds(50));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nReceived: [{string.Join("\n", Notifications)}]", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private void Record(string path, string body)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var alerts = root.GetProperty("alerts").EnumerateArray().Select(a => new NotifiedAlert(
            a.GetProperty("status").GetString()!,
            a.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty))).ToList();
        var groupLabels = root.GetProperty("groupLabels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty);
        notifications.Enqueue(new Notification(path, clock.Elapsed, root.GetProperty("status").GetString()!, groupLabels, alerts, body));
    }
}
