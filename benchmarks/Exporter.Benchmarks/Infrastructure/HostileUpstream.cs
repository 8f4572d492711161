using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RelayExporter.Benchmarks.Infrastructure;

/// <summary>
/// An upstream that misbehaves on purpose, spoken over raw TCP so that it can answer what no HTTP server would: every
/// target is a path prefix (<c>/h{index}/…</c>), and what it does to a request depends on the target and on the
/// current rotation, so each hostile target goes through every behaviour in turn. The behaviours are the attacks the
/// exporter is tested against: a key echoed where excerpts are cut, forged log lines, absurd numbers, secrets as label
/// values, redirect loops, slow drips, bodies over the limit, a Retry-After of an hour, silence, resets.
/// </summary>
public sealed class HostileUpstream : IAsyncDisposable
{
    public static readonly IReadOnlyList<string> Behaviours =
    [
        "key_echo_at_cut", "forged_log_lines", "absurd_numbers", "redirect_loop", "slow_drip",
        "huge_body", "retry_after_hour", "silence", "reset", "not_http", "status_999", "invalid_utf8",
    ];

    /// <summary>The log line a hostile answer tries to forge, after a newline of its own.</summary>
    public const string ForgedLogLine = "info: RelayExporter[0] Probe relay-a/models ended success";

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly TimeSpan _rotation;
    private readonly DateTime _started = DateTime.UtcNow;
    private long _requests;

    private HostileUpstream(TimeSpan rotation)
    {
        _rotation = rotation;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(512);
        _accepting = AcceptAsync();
    }

    /// <param name="rotation">How long a hostile target keeps one behaviour before it moves to the next.</param>
    public static HostileUpstream Start(TimeSpan rotation) => new(rotation);

    public string BaseUrl(int target) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/h{target}";

    public long Requests => Interlocked.Read(ref _requests);

    private string BehaviourOf(int target) =>
        Behaviours[(int)((target + (long)((DateTime.UtcNow - _started) / _rotation)) % Behaviours.Count)];

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (SocketException) { continue; }
            _ = AnswerAsync(client);
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using var _ = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromMinutes(2)); // nothing the exporter sends waits this long: no socket outlives it
        try
        {
            var stream = client.GetStream();
            var head = await ReadHeadAsync(stream, timeout.Token);
            if (head is null) return;
            Interlocked.Increment(ref _requests);
            var (path, key) = head.Value;
            var target = int.Parse(path[2..path.IndexOf('/', 1)]);
            await BehaveAsync(BehaviourOf(target), client, stream, path, key, timeout.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or FormatException or ArgumentException)
        {
            // The exporter hung up, or the request was not ours: either way there is nothing to answer.
        }
    }

    private static async Task BehaveAsync(string behaviour, TcpClient client, NetworkStream stream, string path, string key, CancellationToken token)
    {
        var isHealth = path.EndsWith("/health", StringComparison.Ordinal);
        var isStream = path.EndsWith("/chat/completions", StringComparison.Ordinal);
        switch (behaviour)
        {
            case "key_echo_at_cut" when isStream:
                // A chat answer whose text puts the key across the 80-character cut of the reason (no "OK" in it: a mismatch).
                await WriteAsync(stream, 200, "application/json",
                    $"{{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"gpt-4.1\",\"choices\":[{{\"index\":0,\"finish_reason\":\"stop\"," +
                    $"\"message\":{{\"role\":\"assistant\",\"content\":\"{new string('y', 70)}{key}\"}}}}],\"usage\":{{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}}}", token);
                break;
            case "key_echo_at_cut":
                // A 401 whose body puts the key across the 512-byte cut of the body excerpt.
                const string Prefix = "{\"error\":{\"message\":\"";
                await WriteAsync(stream, 401, "application/json", $"{Prefix}{new string('x', 495 - Prefix.Length)}{key} is not a valid key\"}}}}", token);
                break;
            case "forged_log_lines":
                var forged = $"\u001b[2J\u001b[31mfail\u001b[0m\r\n{ForgedLogLine}\u0000";
                if (isStream)
                    await WriteRawAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" +
                        $"data: {{\"error\":{{\"type\":\"invalid_request_error\",\"message\":\"{Json(forged)}\"}}}}\n\n", token);
                else
                    await WriteAsync(stream, 500, "text/plain", forged, token);
                break;
            case "absurd_numbers":
                if (isHealth)
                    await WriteAsync(stream, 200, "application/json",
                        $"{{\"status\":\"ok\",\"queue_depth\":-1,\"active_nodes\":1e309,\"providers\":[{{\"name\":\"{key}\",\"available\":true,\"latency_ms\":1e309}}," +
                        "{\"name\":\"p\\u001b[31m\\n\",\"available\":true,\"latency_ms\":-5}]}", token);
                else
                    await WriteAsync(stream, 200, "application/json",
                        $"{{\"object\":\"list\",\"data\":[{{\"id\":\"{key}\"}},{{\"id\":\"{new string('m', 5000)}\"}}]}}", token);
                break;
            case "redirect_loop":
                await WriteRawAsync(stream, $"HTTP/1.1 302 Found\r\nLocation: {path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", token);
                break;
            case "slow_drip":
                await WriteRawAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n", token);
                for (var i = 0; i < 100; i++)
                {
                    await stream.WriteAsync("{"u8.ToArray(), token);
                    await Task.Delay(TimeSpan.FromSeconds(1), token);
                }
                break;
            case "huge_body":
                await WriteRawAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n", token);
                var chunk = Encoding.ASCII.GetBytes(new string('[', 64 * 1024));
                for (var i = 0; i < 160; i++) await stream.WriteAsync(chunk, token); // 10 MB, no length: until we hang up
                break;
            case "retry_after_hour":
                await WriteRawAsync(stream, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3600\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", token);
                break;
            case "silence":
                await Task.Delay(TimeSpan.FromSeconds(60), token);
                break;
            case "reset":
                client.Client.LingerState = new LingerOption(true, 0); // closing sends RST
                break;
            case "not_http":
                await stream.WriteAsync("\0\0\0\u001b[31mSSH-2.0-OpenSSH\r\n\0\0"u8.ToArray(), token);
                break;
            case "status_999":
                await WriteAsync(stream, 999, "application/json", "{}", token);
                break;
            case "invalid_utf8":
                var body = new byte[] { (byte)'{', (byte)'"', (byte)'d', (byte)'a', (byte)'t', (byte)'a', (byte)'"', (byte)':', (byte)'[', (byte)'{', (byte)'"', (byte)'i', (byte)'d', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, 0xFF, (byte)'"', (byte)'}', (byte)']', (byte)'}' };
                await WriteRawAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n", token);
                await stream.WriteAsync(body, token);
                break;
        }
    }

    private static Task WriteAsync(NetworkStream stream, int status, string contentType, string body, CancellationToken token)
    {
        var bytes = Encoding.UTF8.GetByteCount(body);
        return WriteRawAsync(stream, $"HTTP/1.1 {status} Hostile\r\nContent-Type: {contentType}\r\nContent-Length: {bytes}\r\nConnection: close\r\n\r\n{body}", token);
    }

    private static async Task WriteRawAsync(NetworkStream stream, string text, CancellationToken token) =>
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text), token);

    private static string Json(string text) =>
        System.Text.Json.JsonSerializer.Serialize(text)[1..^1];

    /// <summary>The request's path and the key it carried (Authorization Bearer, x-api-key or x-goog-api-key), or null.</summary>
    private static async Task<(string Path, string Key)?> ReadHeadAsync(NetworkStream stream, CancellationToken token)
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), token);
            if (read == 0) return null;
            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0) continue;
            var lines = text[..end].Split("\r\n");
            var path = lines[0].Split(' ')[1];
            var key = "";
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':');
                if (colon < 0) continue;
                var (name, value) = (line[..colon].Trim().ToLowerInvariant(), line[(colon + 1)..].Trim());
                if (name == "authorization" && value.StartsWith("Bearer ", StringComparison.Ordinal)) key = value[7..];
                else if (name is "x-api-key" or "x-goog-api-key") key = value;
            }
            return (path, key);
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
