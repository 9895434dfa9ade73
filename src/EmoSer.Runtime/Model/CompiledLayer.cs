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

internal sealed class ConvLayer(PackedConv1D conv, int length, bool relu) : CompiledLayer
{
    public PackedConv1D Conv { get; } = conv;

    public int Length { get; } = length;

    public bool Relu { get; } = relu;

    public override int OutputElements => Length * Conv.OutChannels;

    /// <summary>Winograd form of this conv, chosen at load when it applies (else null: direct kernel).</summary>
    public WinogradConv1D? Winograd { get; } = WinogradConv1D.Applies(conv, length) ? WinogradConv1D.FromPacked(conv) : null;

    private int WinogradScratch => Winograd?.ScratchElements(Length) ?? 0;

    public override int ScratchElements => (InputPrePadded ? 0 : PaddedElements) + WinogradScratch;

    /// <summary>Floats of the zero-padded input.</summary>
    public int PaddedElements => Conv1DKernel.PaddedLength(Length, Conv.InChannels, Conv.KernelSize);

    /// <summary>Zero floats the padded input has before the real rows.</summary>
    public int PadBefore => Conv.PadLeft * Conv.InChannels;

    /// <summary>Zero floats the padded input has after the real rows.</summary>
    public int PadAfter => (Conv.KernelSize - 1 - Conv.PadLeft) * Conv.InChannels;

    /// <summary>True when the producer writes the input already padded: <c>input</c> then starts at the first zero row.</summary>
    public bool InputPrePadded { get; set; }

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
            Conv1DKernel.Pad(input, Length, Conv.InChannels, Conv.KernelSize, pad);
            padded = pad;
            scratch = scratch[PaddedElements..];
        }
        if (Winograd is { } wino)
            wino.Run(padded, Length, output, Relu, scratch, path);
        else
            Conv1DKernel.Run(padded, Length, Conv, output, Relu, path);
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
