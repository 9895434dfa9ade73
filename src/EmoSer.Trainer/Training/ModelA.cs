using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EmoSer.Trainer.Training;

/// <summary>
/// Model A of the seed (Issa et al. 2020) in TorchSharp, layer for layer as the Keras original:
/// Conv1D(256,k5,same) → BN → ReLU → Conv1D(128,k5,same) → ReLU → Dropout 0.1 → MaxPool 8 →
/// Conv1D(128,k5,same) → BN → ReLU → Dropout 0.2 → Flatten (channels-last, Keras order) → Dense(n).
/// <see cref="forward"/> returns logits; softmax is applied by the loss in training and by <see cref="Probabilities"/>.
/// Input: (batch, 1, length) in PyTorch's channels-first layout.
/// </summary>
public sealed class ModelA : Module<Tensor, Tensor>
{
    /// <summary>Keras BatchNormalization defaults used by the seed: momentum 0.99 (PyTorch 0.01), eps 1e-3.</summary>
    public const double BatchNormEps = 1e-3, BatchNormMomentum = 0.01;

    /// <summary>Kernel size of every convolution.</summary>
    public const int Kernel = 5;

    /// <summary>MaxPool size and stride.</summary>
    public const int Pool = 8;

    /// <summary>Dropout rates, as in the seed.</summary>
    public const double Dropout1 = 0.1, Dropout2 = 0.2;

    internal readonly Conv1d conv1, conv2, conv3;
    internal readonly BatchNorm1d bn1, bn3;
    internal readonly Linear dense;
    private readonly Dropout _drop1, _drop2;
    private readonly MaxPool1d _pool;

    /// <summary>Creates the network for <paramref name="inputLength"/> features and <paramref name="classes"/> outputs, Keras-initialised (Glorot uniform kernels, zero biases).</summary>
    public ModelA(int inputLength, int classes) : base("ModelA")
    {
        InputLength = inputLength;
        Classes = classes;
        PooledLength = (inputLength - Pool) / Pool + 1;
        if (PooledLength < 1)
            throw new ArgumentOutOfRangeException(nameof(inputLength), $"input length {inputLength} is shorter than the pool size {Pool}");
        conv1 = Conv1d(1, 256, Kernel, padding: Kernel / 2);
        bn1 = BatchNorm1d(256, eps: BatchNormEps, momentum: BatchNormMomentum);
        conv2 = Conv1d(256, 128, Kernel, padding: Kernel / 2);
        _drop1 = Dropout(Dropout1);
        _pool = MaxPool1d(Pool, Pool);
        conv3 = Conv1d(128, 128, Kernel, padding: Kernel / 2);
        bn3 = BatchNorm1d(128, eps: BatchNormEps, momentum: BatchNormMomentum);
        _drop2 = Dropout(Dropout2);
        dense = Linear(PooledLength * 128, classes);
        RegisterComponents();
        using (no_grad())
        {
            foreach (var layer in new Module[] { conv1, conv2, conv3, dense })
            {
                var p = layer.named_parameters().ToDictionary(x => x.name, x => x.parameter);
                init.xavier_uniform_(p["weight"]);
                init.zeros_(p["bias"]);
            }
        }
    }

    /// <summary>Input feature count.</summary>
    public int InputLength { get; }

    /// <summary>Output class count.</summary>
    public int Classes { get; }

    /// <summary>Sequence length after the max pool.</summary>
    public int PooledLength { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = functional.relu(bn1.forward(conv1.forward(x)));
        h = _drop1.forward(functional.relu(conv2.forward(h)));
        h = _pool.forward(h);
        h = _drop2.forward(functional.relu(bn3.forward(conv3.forward(h))));
        // Keras flattens (length, channels) row-major: index l * C + c, so transpose before flattening.
        h = h.permute(0, 2, 1).reshape(h.shape[0], -1);
        return dense.forward(h).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Sets both BatchNorm layers' running statistics to the exact batch statistics of <paramref name="x"/> (the whole
    /// training part, eval-mode path otherwise): "precise BN". Keras' momentum 0.99 makes the running averages lag far
    /// behind the weights in short trainings, so eval-mode outputs (what the runtime computes) would not match what
    /// was trained; the exported tensors are still plain running mean/variance, so the file format is unchanged.
    /// </summary>
    public void RecalibrateBatchNorm(Tensor x)
    {
        eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var a1 = conv1.forward(x);
        SetStats(bn1, a1);
        var h = functional.relu(bn1.forward(a1));
        h = _pool.forward(functional.relu(conv2.forward(h)));
        var a3 = conv3.forward(h);
        SetStats(bn3, a3);
    }

    private static void SetStats(BatchNorm1d bn, Tensor a)
    {
        var (variance, mean) = a.var_mean([0L, 2L], unbiased: true, keepdim: false);
        bn.running_mean!.copy_(mean);
        bn.running_var!.copy_(variance);
    }

    /// <summary>
    /// Softmax probabilities in eval mode for a (batch, length) matrix of standardized features, of the logits divided
    /// by <paramref name="temperature"/> (temperature scaling; 1 leaves them as trained).
    /// </summary>
    public float[] Probabilities(float[] flat, int rows, float temperature = 1)
    {
        eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = tensor(flat, [rows, 1, InputLength]);
        var logits = forward(x);
        if (temperature != 1)
            logits = logits / temperature;
        return functional.softmax(logits, 1).data<float>().ToArray();
    }

    /// <summary>The logits (pre-softmax outputs) in eval mode for a (batch, length) matrix of standardized features, row-major.</summary>
    public float[] Logits(float[] flat, int rows)
    {
        eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return forward(tensor(flat, [rows, 1, InputLength])).data<float>().ToArray();
    }
}
