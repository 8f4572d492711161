using System.Text.Json.Nodes;

namespace RelayExporter.Simulator;

/// <summary>An injected misbehaviour. <see cref="Settings"/> is the normalised form the admin API shows.</summary>
internal abstract record Fault
{
    public JsonObject Settings { get; init; } = [];
}

internal enum DownMode { Refused, Reset }

internal sealed record DownFault(DownMode Mode) : Fault;

internal sealed record SlowFault(int DelayMs, int TokenDelayMs) : Fault;

internal sealed record RateLimitedFault(int? RetryAfterSeconds, int? RetryAfterMs) : Fault;

internal sealed record StatusFault(int Status, bool Overloaded) : Fault;

internal sealed record OverloadedFault : Fault;

internal sealed record GarbageFault : Fault;

internal sealed record HtmlFault : Fault;

internal sealed record StreamCutFault(int AfterChunks) : Fault;

internal sealed record StreamHangFault(int AfterChunks) : Fault;

internal sealed record StreamErrorFault : Fault;

internal sealed record UnauthorizedFault : Fault;

internal sealed record ModelRemovedFault : Fault;

/// <summary>Requests for the model are answered, naming another model as the one that answered.</summary>
internal sealed record ModelSubstitutedFault(string Answering) : Fault;

internal sealed record ProviderUnavailableFault(string Provider) : Fault;

internal sealed record RedirectFault(string Location, int Status) : Fault;
