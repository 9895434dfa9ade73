namespace EmoSer.Runtime.ModelFile;

/// <summary>One member network of a weights file: a sequence of layers ending in Softmax.</summary>
public sealed class NetworkDefinition
{
    /// <summary>Creates a member from its layers (1..64).</summary>
    /// <param name="layers">Layers in execution order.</param>
    public NetworkDefinition(IReadOnlyList<LayerDefinition> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        Layers = layers;
    }

    /// <summary>Layers in execution order.</summary>
    public IReadOnlyList<LayerDefinition> Layers { get; }
}
