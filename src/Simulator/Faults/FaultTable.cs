using System.Collections.Concurrent;

namespace RelayExporter.Simulator;

/// <summary>The faults active on one target: at most one for the whole target and one per model.</summary>
internal sealed class FaultTable
{
    private readonly ConcurrentDictionary<string, Fault> _byModel = new();
    private volatile Fault? _target;

    public Fault? TargetFault => _target;

    public IReadOnlyDictionary<string, Fault> ModelFaults => _byModel;

    /// <summary>A model-level fault wins for requests about that model.</summary>
    public Fault? For(string? model) =>
        model is not null && _byModel.TryGetValue(model, out var fault) ? fault : _target;

    public bool IsRemoved(string model) => _byModel.TryGetValue(model, out var fault) && fault is ModelRemovedFault;

    /// <summary>The model named as answering requests for <paramref name="model"/>: another one under model_substituted.</summary>
    public string AnsweringFor(string model) => _byModel.TryGetValue(model, out var fault) && fault is ModelSubstitutedFault s ? s.Answering : model;

    public void Set(string? model, Fault? fault)
    {
        if (model is null) _target = fault;
        else if (fault is null) _byModel.TryRemove(model, out _);
        else _byModel[model] = fault;
    }

    public void Clear()
    {
        _target = null;
        _byModel.Clear();
    }
}
