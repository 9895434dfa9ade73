namespace EmoSer.Runtime.Model.Kernels;

/// <summary>
/// Conv1D weights repacked at load time for <see cref="Conv1DKernel"/>, with a following BatchNorm folded in.
/// Layout: output channels in blocks of <see cref="BlockWidth"/>; per block, for each reduction index
/// <c>r = j * in + i</c> (tap j, input channel i) the block's <see cref="BlockWidth"/> weights are contiguous, so the
/// kernel streams one block linearly. Channels past the real output count are zero.
/// </summary>
internal sealed class PackedConv1D
{
    /// <summary>Output channels per packed block (a multiple of both vector widths; kernels may split it in halves).</summary>
    public const int BlockWidth = 32;

    /// <summary>Wraps weights and bias already in the packed layout (see <see cref="Weights"/>, <see cref="Bias"/>).</summary>
    internal PackedConv1D(int inChannels, int outChannels, int kernelSize, float[] weights, float[] bias)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Weights = weights;
        Bias = bias;
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int KernelSize { get; }

    /// <summary>Zero rows before the input ('same': (k - 1) / 2).</summary>
    public int PadLeft => SamePadLeft(KernelSize);

    /// <summary>Zero rows before the input of a 'same' conv of width <paramref name="kernelSize"/>.</summary>
    public static int SamePadLeft(int kernelSize) => (kernelSize - 1) / 2;

    /// <summary>Reduction length per output: kernel size x input channels.</summary>
    public int ReductionLength => KernelSize * InChannels;

    public int Blocks => (OutChannels + BlockWidth - 1) / BlockWidth;

    /// <summary>Packed weights, Blocks x ReductionLength x BlockWidth.</summary>
    public float[] Weights { get; }

    /// <summary>Bias padded to Blocks x BlockWidth.</summary>
    public float[] Bias { get; }

    /// <summary>Packs PyTorch-layout weights (out, in, k); if <paramref name="batchNorm"/> is given it is folded in.</summary>
    /// <param name="weight">Kernel (out, in, k), row-major.</param>
    /// <param name="bias">Bias (out).</param>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Kernel width.</param>
    /// <param name="batchNorm">Optional following BatchNorm: gamma, beta, running mean, running var, epsilon.</param>
    public static PackedConv1D Pack(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int inChannels, int outChannels, int kernelSize,
        BatchNormParameters? batchNorm = null)
    {
        if (weight.Length != outChannels * inChannels * kernelSize || bias.Length != outChannels)
            throw new ArgumentException("Conv1D weight or bias does not match the shape.");
        int blocks = (outChannels + BlockWidth - 1) / BlockWidth;
        int reduction = kernelSize * inChannels;
        var packed = new float[blocks * reduction * BlockWidth];
        var packedBias = new float[blocks * BlockWidth];
        for (int o = 0; o < outChannels; o++)
        {
            (double scale, double shift) = FoldBatchNorm(bias, batchNorm, o);
            int block = o / BlockWidth, lane = o % BlockWidth;
            packedBias[o] = (float)shift;
            for (int i = 0; i < inChannels; i++)
            {
                for (int j = 0; j < kernelSize; j++)
                {
                    int r = (j * inChannels) + i;
                    packed[(((block * reduction) + r) * BlockWidth) + lane] = (float)(weight[(((o * inChannels) + i) * kernelSize) + j] * scale);
                }
            }
        }
        return new PackedConv1D(inChannels, outChannels, kernelSize, packed, packedBias);
    }

    /// <summary>
    /// Output channel <paramref name="o"/>'s factor on its weights and its bias after folding <paramref name="batchNorm"/>:
    /// BatchNorm(conv(x)) = s * conv(x) + (beta - s * mean), with s = gamma / sqrt(var + eps); computed in double. A
    /// folded weight is <c>(float)(weight * scale)</c>, the folded bias <c>(float)shift</c>.
    /// </summary>
    internal static (double Scale, double Shift) FoldBatchNorm(ReadOnlySpan<float> bias, BatchNormParameters? batchNorm, int o)
    {
        if (batchNorm is not { } bn)
            return (1, bias[o]);
        double scale = bn.Gamma[o] / Math.Sqrt((double)bn.RunningVar[o] + bn.Epsilon);
        return (scale, ((bias[o] - (double)bn.RunningMean[o]) * scale) + bn.Beta[o]);
    }
}

/// <summary>BatchNorm running statistics to fold into a convolution.</summary>
internal sealed record BatchNormParameters(float[] Gamma, float[] Beta, float[] RunningMean, float[] RunningVar, float Epsilon);
