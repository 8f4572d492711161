using RelayExporter.Configuration;

namespace RelayExporter.Telemetry;

/// <summary>
/// A target's <c>gen_ai.operation.name</c> and <c>gen_ai.provider.name</c> in the OpenTelemetry GenAI conventions, as
/// its protocol's description gives them (<see cref="ProtocolDescription.GenAiProvider"/>): by the host of the base URL
/// for a provider the conventions name, else the protocol's own.
/// </summary>
internal readonly record struct GenAiSystem(string OperationName, string ProviderName)
{
    public static GenAiSystem Of(TargetOptions target) => target.ProtocolDescription is { } protocol
        ? new(protocol.GenAiOperation, protocol.GenAiProviderByHost.GetValueOrDefault(target.BaseUri.Host, protocol.GenAiProvider))
        : throw new ArgumentException("a target without a protocol has no GenAI convention values", nameof(target));
}
