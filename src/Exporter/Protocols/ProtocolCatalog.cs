using RelayExporter.Configuration;

namespace RelayExporter.Protocols;

/// <summary>The protocol implementation for each <see cref="ProtocolKind"/>.</summary>
public sealed class ProtocolCatalog(IEnumerable<ILlmProtocol> protocols)
{
    private readonly Dictionary<ProtocolKind, ILlmProtocol> _byKind = protocols.ToDictionary(p => p.Description.Kind);

    public ILlmProtocol For(ProtocolKind kind) => _byKind[kind];
}
