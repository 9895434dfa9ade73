namespace EmoSer.Runtime.ModelFile;

/// <summary>Layer type codes of the weights file (docs/weights-format.md, "Layer types").</summary>
internal enum LayerType : uint
{
    /// <summary>1-D convolution, stride 1, 'same' padding; tensors weight (out, in, k) and bias (out).</summary>
    Conv1D = 1,

    /// <summary>Batch normalization with running statistics; folded into the preceding Conv1D at load time.</summary>
    BatchNorm = 2,

    /// <summary>max(x, 0).</summary>
    ReLU = 3,

    /// <summary>Dropout: a no-op at inference.</summary>
    Dropout = 4,

    /// <summary>Max pooling over the length axis (Keras 'valid').</summary>
    MaxPool1D = 5,

    /// <summary>Flattens (length, channels) to a vector in channels-last order.</summary>
    Flatten = 6,

    /// <summary>Fully connected layer; tensors weight (out, in) and bias (out).</summary>
    Dense = 7,

    /// <summary>Softmax over the final vector; must be the last layer.</summary>
    Softmax = 8,
}
