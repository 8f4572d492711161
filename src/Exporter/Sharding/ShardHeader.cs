namespace RelayExporter.Sharding;

/// <summary>
/// Every answer of a sharded replica says which shard it is (<c>X-Relay-Exporter-Shard: 1/4</c>): its API and status
/// page know only its own targets, and a reader of /api/v1/targets or /api/v1/route must be able to tell a partial view.
/// </summary>
public sealed class ShardHeader(Shard shard)
{
    public const string Name = "X-Relay-Exporter-Shard";
    private readonly string _value = shard.ToString();

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        context.Response.Headers[Name] = _value;
        return next(context);
    }
}
