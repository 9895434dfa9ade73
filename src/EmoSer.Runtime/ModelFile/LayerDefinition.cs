namespace EmoSer.Runtime.ModelFile;

/// <summary>
/// One layer record of a weights file: its type, its raw 32-bit params and its tensors. The static factories
/// build well-formed layers; the constructor takes raw values as they are stored (the loader checks them).
/// </summary>
public sealed class LayerDefinition
{
    /// <summary>Creates a layer record from raw values.</summary>
    /// <param name="type">Layer type code.</param>
    /// <param name="parameters">32-bit params as stored (f32 params as their IEEE bits); at most 8.</param>
    /// <param name="tensors">Tensors in the order the layer type defines; at most 8.</param>
    /// <exception cref="ArgumentException">More than 8 params or tensors.</exception>
    internal LayerDefinition(LayerType type, uint[] parameters, TensorDefinition[] tensors)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(tensors);
        if (parameters.Length > ModelFileFormat.MaxLayerParams)
            throw new ArgumentException($"A layer has at most {ModelFileFormat.MaxLayerParams} params, got {parameters.Length}.", nameof(parameters));
        if (tensors.Length > ModelFileFormat.MaxLayerTensors)
            throw new ArgumentException($"A layer has at most {ModelFileFormat.MaxLayerTensors} tensors, got {tensors.Length}.", nameof(tensors));
        Type = type;
        Parameters = parameters;
        Tensors = tensors;
    }

    /// <summary>Layer type code.</summary>
    internal LayerType Type { get; }

    /// <summary>Raw 32-bit params (f32 params as IEEE bits; use <see cref="FloatParameter"/>).</summary>
    internal IReadOnlyList<uint> Parameters { get; }

    /// <summary>The layer's tensors, in the order its type defines.</summary>
    internal IReadOnlyList<TensorDefinition> Tensors { get; }

    /// <summary>Param <paramref name="index"/> read as an f32.</summary>
    /// <param name="index">Param index.</param>
    internal float FloatParameter(int index) => BitConverter.UInt32BitsToSingle(Parameters[index]);

    /// <summary>Conv1D, stride 1, 'same' padding.</summary>
    /// <param name="weight">Kernel in PyTorch layout (out, in, k), row-major.</param>
    /// <param name="bias">Bias (out).</param>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Kernel width.</param>
    public static LayerDefinition Conv1D(float[] weight, float[] bias, int inChannels, int outChannels, int kernelSize) =>
        new(LayerType.Conv1D,
            [(uint)inChannels, (uint)outChannels, (uint)kernelSize, ModelFileFormat.PaddingSame, 1u],
            [new TensorDefinition("weight", [outChannels, inChannels, kernelSize], weight), new TensorDefinition("bias", [outChannels], bias)]);

    /// <summary>BatchNorm over channels with running statistics: <c>gamma * (x - mean) / sqrt(var + epsilon) + beta</c>.</summary>
    /// <param name="gamma">Scale (channels).</param>
    /// <param name="beta">Shift (channels).</param>
    /// <param name="runningMean">Running mean (channels).</param>
    /// <param name="runningVar">Running variance (channels).</param>
    /// <param name="epsilon">Added to the variance (Keras default 1e-3).</param>
    public static LayerDefinition BatchNorm(float[] gamma, float[] beta, float[] runningMean, float[] runningVar, float epsilon)
    {
        ArgumentNullException.ThrowIfNull(gamma);
        int c = gamma.Length;
        return new(LayerType.BatchNorm, [(uint)c, BitConverter.SingleToUInt32Bits(epsilon)],
            [new TensorDefinition("gamma", [c], gamma), new TensorDefinition("beta", [c], beta),
             new TensorDefinition("running_mean", [c], runningMean), new TensorDefinition("running_var", [c], runningVar)]);
    }

    /// <summary>ReLU.</summary>
    public static LayerDefinition ReLU() => new(LayerType.ReLU, [], []);

    /// <summary>Dropout (a no-op at inference, kept so the file mirrors the training graph).</summary>
    /// <param name="rate">Training drop rate in [0, 1).</param>
    public static LayerDefinition Dropout(float rate) => new(LayerType.Dropout, [BitConverter.SingleToUInt32Bits(rate)], []);

    /// <summary>MaxPool1D (Keras 'valid').</summary>
    /// <param name="poolSize">Window length.</param>
    /// <param name="stride">Step; Keras' default is the pool size.</param>
    public static LayerDefinition MaxPool1D(int poolSize, int stride) => new(LayerType.MaxPool1D, [(uint)poolSize, (uint)stride], []);

    /// <summary>Flatten in channels-last (Keras) order: index <c>l * C + c</c>.</summary>
    public static LayerDefinition Flatten() => new(LayerType.Flatten, [ModelFileFormat.FlattenChannelsLast], []);

    /// <summary>Dense (fully connected).</summary>
    /// <param name="weight">Weights (out, in), row-major; the input index follows the Flatten order.</param>
    /// <param name="bias">Bias (out).</param>
    /// <param name="inFeatures">Input width.</param>
    /// <param name="outFeatures">Output width.</param>
    public static LayerDefinition Dense(float[] weight, float[] bias, int inFeatures, int outFeatures) =>
        new(LayerType.Dense, [(uint)inFeatures, (uint)outFeatures],
            [new TensorDefinition("weight", [outFeatures, inFeatures], weight), new TensorDefinition("bias", [outFeatures], bias)]);

    /// <summary>Softmax (the last layer).</summary>
    public static LayerDefinition Softmax() => new(LayerType.Softmax, [], []);
}
