using EmoSer.Runtime.Model.Kernels;

namespace EmoSer.Runtime.Model;

/// <summary>
/// One step of a loaded network after load-time rewriting: BatchNorm folded into its Conv1D, a ReLU right
/// after a conv fused into the conv's store, Dropout and Flatten removed (Flatten is the identity on a
/// channels-last buffer).
/// </summary>
internal abstract class CompiledLayer
{
    /// <summary>Output values of this step.</summary>
    public abstract int OutputElements { get; }

    /// <summary>Floats of padded-input scratch this step needs (0 if none).</summary>
    public virtual int ScratchElements => 0;

    /// <summary>Runs the step; <paramref name="output"/> may alias <paramref name="input"/> only for elementwise steps.</summary>
    public abstract void Run(ReadOnlySpan<float> input, Span<float> output, Span<float> scratch, KernelPath path);

    /// <summary>True when the step can write its output over its input.</summary>
    public virtual bool InPlace => false;

    /// <summary>
    /// Zero floats to leave before this step's output (set when a conv follows, so it reads the output as its
    /// padded input and needs no copy).
    /// </summary>
    public int OutputPadBefore { get; set; }

    /// <summary>Zero floats to leave after this step's output.</summary>
    public int OutputPadAfter { get; set; }
}

/// <summary>
/// A Conv1D (BatchNorm folded, ReLU fused). Its shape is known at load; the packed (and, where it pays, Winograd)
/// weights are built by <see cref="PrepareUnit"/>, which the model runs for every unit before its first prediction.
/// </summary>
internal sealed class ConvLayer : CompiledLayer
{
    private readonly float[] _weight;
    private readonly float[] _bias;
    private readonly BatchNormParameters? _batchNorm;
    private readonly Lock _gate = new();
    private PackedConv1D? _direct;
    private WinogradConv1D? _winograd;   // allocated by the first PrepareUnit, filled block by block
    private WinogradConv1D.RawTaps _taps;

    /// <param name="weight">Kernel (out, in, k), row-major, as in the weights file (not copied: the definition is immutable).</param>
    /// <param name="bias">Bias (out).</param>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Kernel width.</param>
    /// <param name="batchNorm">The following BatchNorm, folded in when the weights are packed; null if none.</param>
    /// <param name="length">Input (and output) length in frames.</param>
    /// <param name="relu">True when a ReLU follows and is fused into the store.</param>
    public ConvLayer(float[] weight, float[] bias, int inChannels, int outChannels, int kernelSize, BatchNormParameters? batchNorm, int length, bool relu)
    {
        _weight = weight;
        _bias = bias;
        _batchNorm = batchNorm;
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Length = length;
        Relu = relu;
        UsesWinograd = WinogradConv1D.Applies(kernelSize, inChannels, outChannels, length);
    }

    public int InChannels { get; }

    public int OutChannels { get; }

    public int KernelSize { get; }

    public int Length { get; }

    public bool Relu { get; }

    /// <summary>True when this conv runs as Winograd F(4, k) (chosen from the shape at load), else the direct kernel.</summary>
    public bool UsesWinograd { get; }

    public override int OutputElements => Length * OutChannels;

    private int WinogradScratch => UsesWinograd ? WinogradConv1D.ScratchElements(KernelSize, InChannels, OutChannels, Length) : 0;

    public override int ScratchElements => (InputPrePadded ? 0 : PaddedElements) + WinogradScratch;

    /// <summary>Floats of the zero-padded input.</summary>
    public int PaddedElements => Conv1DKernel.PaddedLength(Length, InChannels, KernelSize);

    /// <summary>Zero floats the padded input has before the real rows ('same' padding: (k - 1) / 2 rows).</summary>
    public int PadBefore => PackedConv1D.SamePadLeft(KernelSize) * InChannels;

    /// <summary>Zero floats the padded input has after the real rows.</summary>
    public int PadAfter => (KernelSize - 1 - PackedConv1D.SamePadLeft(KernelSize)) * InChannels;

    /// <summary>True when the producer writes the input already padded: <c>input</c> then starts at the first zero row.</summary>
    public bool InputPrePadded { get; set; }

    /// <summary>
    /// Units of <see cref="PrepareUnit"/>: a Winograd conv's blocks of output channels (independent, so the threads of a
    /// model's Prepare can share the largest conv), or the whole direct packing.
    /// </summary>
    public int PrepareUnits => UsesWinograd ? (OutChannels + PackedConv1D.BlockWidth - 1) / PackedConv1D.BlockWidth : 1;

    /// <summary>
    /// Packs one unit of the weights (BatchNorm folded): a block of the Winograd filters, or the direct packing. Each
    /// unit is prepared once, by one thread; different units may be prepared at once (the model's Prepare claims them).
    /// </summary>
    public void PrepareUnit(int unit)
    {
        if (!UsesWinograd)
        {
            _direct = PackedConv1D.Pack(_weight, _bias, InChannels, OutChannels, KernelSize, _batchNorm);
            return;
        }
        WinogradConv1D winograd;
        WinogradConv1D.RawTaps taps;
        lock (_gate)
        {
            if (_winograd is null)
                (_winograd, _taps) = WinogradConv1D.ForWeights(_weight, _bias, InChannels, OutChannels, KernelSize, _batchNorm);
            winograd = _winograd;
            taps = _taps;
        }
        winograd.FillBlock(taps, unit);
    }

    public override void Run(ReadOnlySpan<float> input, Span<float> output, Span<float> scratch, KernelPath path)
    {
        ReadOnlySpan<float> padded;
        if (InputPrePadded)
        {
            padded = input[..PaddedElements];
        }
        else
        {
            var pad = scratch[..PaddedElements];
            Conv1DKernel.Pad(input, Length, InChannels, KernelSize, pad);
            padded = pad;
            scratch = scratch[PaddedElements..];
        }
        if (_winograd is { } wino)
            wino.Run(padded, Length, output, Relu, scratch, path);
        else
            Conv1DKernel.Run(padded, Length, _direct ?? throw new InvalidOperationException("The conv layer was run before Prepare."), output, Relu, path);
    }
}

internal sealed class ReluLayer(int elements) : CompiledLayer
{
    public override int OutputElements => elements;

    public override bool InPlace => true;

    public override void Run(ReadOnlySpan<float> input, Span<float> output, Span<float> scratch, KernelPath path) =>
        ElementwiseKernels.Relu(input[..elements], output, path);
}

internal sealed class MaxPoolLayer(int length, int channels, int pool, int stride) : CompiledLayer
{
    public override int OutputElements => MaxPool1DKernel.OutputLength(length, pool, stride) * channels;

    public override void Run(ReadOnlySpan<float> input, Span<float> output, Span<float> scratch, KernelPath path) =>
        MaxPool1DKernel.Run(input, length, channels, pool, stride, output, path);
}

internal sealed class DenseLayer(float[] weight, float[] bias) : CompiledLayer
{
    public override int OutputElements => bias.Length;

    public override void Run(ReadOnlySpan<float> input, Span<float> output, Span<float> scratch, KernelPath path) =>
        DenseKernel.Run(input[..(weight.Length / bias.Length)], weight, bias, output, path);
}

internal sealed class SoftmaxLayer(int elements) : CompiledLayer
{
    public override int OutputElements => elements;

    public override bool InPlace => true;

    public override void Run(ReadOnlySpan<float> input, Span<float> output, Span<float> scratch, KernelPath path) =>
        SoftmaxKernel.Run(input[..elements], output);
}
