using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace EmoSer.Runtime.Model.Kernels;

/// <summary>
/// Conv1D (stride 1, 'same') on channels-last activations as a register-blocked GEMM. With the input padded by
/// zero rows, output position l needs the contiguous slice <c>padded[l * in .. (l + k) * in)</c>, and the packed
/// weights (<see cref="PackedConv1D"/>) index the same reduction <c>r = j * in + i</c>; so
/// <c>y[l, o] = bias[o] + sum_r padded[l * in + r] * packed[block][r][lane]</c>: a GEMM whose left operand is a view of
/// overlapping rows (im2col without copying). The vector kernels keep a tile of output positions x output channels
/// of accumulators in registers (v256: 6 x 32 then 4 x 32 with 32 vector registers, 4 x 16 with 16; v128: 4 x 16 or 2 x 16),
/// broadcasting one input value per position and loading the block's weights once per reduction step.
/// </summary>
internal static class Conv1DKernel
{
    private const int Block = PackedConv1D.BlockWidth;
    private const int Half = Block / 2;
    private const int Positions = 4;

    /// <summary>Copies (length, channels) <paramref name="x"/> into <paramref name="padded"/> with 'same' zero rows around it.</summary>
    public static void Pad(ReadOnlySpan<float> x, int length, int channels, int kernelSize, Span<float> padded)
    {
        int left = (kernelSize - 1) / 2, right = kernelSize - 1 - left;
        int n = length * channels;
        padded[..(left * channels)].Clear();
        x[..n].CopyTo(padded[(left * channels)..]);
        padded.Slice((left + length) * channels, right * channels).Clear();
    }

    /// <summary>Number of floats the padded input of a conv needs.</summary>
    public static int PaddedLength(int length, int channels, int kernelSize) => (length + kernelSize - 1) * channels;

    /// <summary>
    /// y (length, out) = conv(padded) + bias, then max(., 0) if <paramref name="relu"/>.
    /// <paramref name="padded"/> is the input after <see cref="Pad"/>.
    /// </summary>
    public static void Run(ReadOnlySpan<float> padded, int length, PackedConv1D conv, Span<float> y, bool relu, KernelPath path) =>
        Run(padded, length, conv, y, relu, path, WideTiles);

    /// <summary>
    /// True when the CPU has 32 vector registers (x64 with AVX-512VL encodings, every ARM64), so the larger
    /// register tiles fit without spilling.
    /// </summary>
    public static bool WideTiles { get; } = Avx512F.VL.IsSupported || AdvSimd.Arm64.IsSupported;

    /// <summary>As above with the tile size chosen explicitly (tests run both on one machine).</summary>
    internal static void Run(ReadOnlySpan<float> padded, int length, PackedConv1D conv, Span<float> y, bool relu, KernelPath path, bool wideTiles)
    {
        if (padded.Length < PaddedLength(length, conv.InChannels, conv.KernelSize) || y.Length < length * conv.OutChannels)
            throw new ArgumentException("Conv1D spans do not match the shape.");
        switch (path)
        {
            case KernelPath.V256:
                RunV256(padded, length, conv, y, relu, wideTiles);
                break;
            case KernelPath.V128:
                RunV128(padded, length, conv, y, relu, wideTiles);
                break;
            default:
                RunScalar(padded, length, conv, y, relu);
                break;
        }
    }

    private static void RunScalar(ReadOnlySpan<float> x, int length, PackedConv1D conv, Span<float> y, bool relu)
    {
        int inC = conv.InChannels, outC = conv.OutChannels, reduction = conv.ReductionLength;
        ReadOnlySpan<float> w = conv.Weights;
        Span<float> acc = stackalloc float[Block];
        for (int b = 0; b < conv.Blocks; b++)
        {
            var wb = w.Slice(b * reduction * Block, reduction * Block);
            int lanes = Math.Min(Block, outC - (b * Block));
            for (int l = 0; l < length; l++)
            {
                conv.Bias.AsSpan(b * Block, Block).CopyTo(acc);
                var xr = x.Slice(l * inC, reduction);
                for (int r = 0; r < reduction; r++)
                {
                    float v = xr[r];
                    var wr = wb.Slice(r * Block, Block);
                    for (int q = 0; q < Block; q++)
                        acc[q] += v * wr[q];
                }
                var dst = y.Slice((l * outC) + (b * Block), lanes);
                for (int q = 0; q < lanes; q++)
                    dst[q] = relu && acc[q] < 0 ? 0 : acc[q];
            }
        }
    }

    private static void RunV256(ReadOnlySpan<float> x, int length, PackedConv1D conv, Span<float> y, bool relu, bool wide)
    {
        int inC = conv.InChannels, outC = conv.OutChannels, reduction = conv.ReductionLength;
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float ws = ref MemoryMarshal.GetArrayDataReference(conv.Weights);
        ref float bs = ref MemoryMarshal.GetArrayDataReference(conv.Bias);
        Span<float> partial = stackalloc float[Half];
        // With 32 vector registers (AVX-512VL encodings) a 4 x 32 tile fits: 16 accumulators, 4 weight vectors and a
        // broadcast, half a load per FMA. With 16 registers (AVX2) the block is done as two 4 x 16 halves (8 accumulators).
        for (int b = 0; b < conv.Blocks; b++)
        {
            ref float wb = ref Unsafe.Add(ref ws, (nint)b * reduction * Block);
            int channel0 = b * Block;
            int l = 0;
            if (wide && outC - channel0 >= Block)
            {
                for (; l <= length - 6; l += 6)
                    Tile6x32(ref Unsafe.Add(ref xs, (nint)l * inC), inC, ref wb, reduction, ref Unsafe.Add(ref bs, channel0),
                        ref Unsafe.Add(ref ys, (l * outC) + channel0), outC, relu);
                for (; l <= length - Positions; l += Positions)
                    Tile4x32(ref Unsafe.Add(ref xs, (nint)l * inC), inC, ref wb, reduction, ref Unsafe.Add(ref bs, channel0),
                        ref Unsafe.Add(ref ys, (l * outC) + channel0), outC, relu);
            }
            for (int h = 0; h < Block / Half; h++)
            {
                int c0 = channel0 + (h * Half);
                int lanes = Math.Min(Half, outC - c0);
                if (lanes <= 0)
                    break;
                ref float wh = ref Unsafe.Add(ref wb, h * Half);
                var bias0 = Vector256.LoadUnsafe(ref bs, (nuint)c0);
                var bias1 = Vector256.LoadUnsafe(ref bs, (nuint)(c0 + 8));
                int lh = l;
                for (; lh <= length - Positions; lh += Positions)
                {
                    Vector256<float> a00 = bias0, a01 = bias1, a10 = bias0, a11 = bias1;
                    Vector256<float> a20 = bias0, a21 = bias1, a30 = bias0, a31 = bias1;
                    ref float x0 = ref Unsafe.Add(ref xs, (nint)lh * inC);
                    ref float x1 = ref Unsafe.Add(ref x0, inC);
                    ref float x2 = ref Unsafe.Add(ref x1, inC);
                    ref float x3 = ref Unsafe.Add(ref x2, inC);
                    ref float wr = ref wh;
                    for (int r = 0; r < reduction; r++)
                    {
                        var w0 = Vector256.LoadUnsafe(ref wr);
                        var w1 = Vector256.LoadUnsafe(ref wr, 8);
                        var v = Vector256.Create(Unsafe.Add(ref x0, r));
                        a00 = Vector256.MultiplyAddEstimate(v, w0, a00);
                        a01 = Vector256.MultiplyAddEstimate(v, w1, a01);
                        v = Vector256.Create(Unsafe.Add(ref x1, r));
                        a10 = Vector256.MultiplyAddEstimate(v, w0, a10);
                        a11 = Vector256.MultiplyAddEstimate(v, w1, a11);
                        v = Vector256.Create(Unsafe.Add(ref x2, r));
                        a20 = Vector256.MultiplyAddEstimate(v, w0, a20);
                        a21 = Vector256.MultiplyAddEstimate(v, w1, a21);
                        v = Vector256.Create(Unsafe.Add(ref x3, r));
                        a30 = Vector256.MultiplyAddEstimate(v, w0, a30);
                        a31 = Vector256.MultiplyAddEstimate(v, w1, a31);
                        wr = ref Unsafe.Add(ref wr, Block);
                    }
                    Store256(ref ys, (lh * outC) + c0, lanes, a00, a01, relu, partial);
                    Store256(ref ys, ((lh + 1) * outC) + c0, lanes, a10, a11, relu, partial);
                    Store256(ref ys, ((lh + 2) * outC) + c0, lanes, a20, a21, relu, partial);
                    Store256(ref ys, ((lh + 3) * outC) + c0, lanes, a30, a31, relu, partial);
                }
                for (; lh < length; lh++)
                {
                    Vector256<float> a0 = bias0, a1 = bias1;
                    ref float x0 = ref Unsafe.Add(ref xs, (nint)lh * inC);
                    ref float wr = ref wh;
                    for (int r = 0; r < reduction; r++)
                    {
                        var v = Vector256.Create(Unsafe.Add(ref x0, r));
                        a0 = Vector256.MultiplyAddEstimate(v, Vector256.LoadUnsafe(ref wr), a0);
                        a1 = Vector256.MultiplyAddEstimate(v, Vector256.LoadUnsafe(ref wr, 8), a1);
                        wr = ref Unsafe.Add(ref wr, Block);
                    }
                    Store256(ref ys, (lh * outC) + c0, lanes, a0, a1, relu, partial);
                }
            }
        }
    }

    /// <summary>4 positions x 32 channels, all lanes real: 16 accumulators live across the whole reduction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x32(ref float x0, int inC, ref float wb, int reduction, ref float bias, ref float y, int outC, bool relu)
    {
        var b0 = Vector256.LoadUnsafe(ref bias);
        var b1 = Vector256.LoadUnsafe(ref bias, 8);
        var b2 = Vector256.LoadUnsafe(ref bias, 16);
        var b3 = Vector256.LoadUnsafe(ref bias, 24);
        Vector256<float> a00 = b0, a01 = b1, a02 = b2, a03 = b3, a10 = b0, a11 = b1, a12 = b2, a13 = b3;
        Vector256<float> a20 = b0, a21 = b1, a22 = b2, a23 = b3, a30 = b0, a31 = b1, a32 = b2, a33 = b3;
        ref float x1 = ref Unsafe.Add(ref x0, inC);
        ref float x2 = ref Unsafe.Add(ref x1, inC);
        ref float x3 = ref Unsafe.Add(ref x2, inC);
        ref float wr = ref wb;
        for (int r = 0; r < reduction; r++)
        {
            var w0 = Vector256.LoadUnsafe(ref wr);
            var w1 = Vector256.LoadUnsafe(ref wr, 8);
            var w2 = Vector256.LoadUnsafe(ref wr, 16);
            var w3 = Vector256.LoadUnsafe(ref wr, 24);
            var v = Vector256.Create(Unsafe.Add(ref x0, r));
            a00 = Vector256.MultiplyAddEstimate(v, w0, a00);
            a01 = Vector256.MultiplyAddEstimate(v, w1, a01);
            a02 = Vector256.MultiplyAddEstimate(v, w2, a02);
            a03 = Vector256.MultiplyAddEstimate(v, w3, a03);
            v = Vector256.Create(Unsafe.Add(ref x1, r));
            a10 = Vector256.MultiplyAddEstimate(v, w0, a10);
            a11 = Vector256.MultiplyAddEstimate(v, w1, a11);
            a12 = Vector256.MultiplyAddEstimate(v, w2, a12);
            a13 = Vector256.MultiplyAddEstimate(v, w3, a13);
            v = Vector256.Create(Unsafe.Add(ref x2, r));
            a20 = Vector256.MultiplyAddEstimate(v, w0, a20);
            a21 = Vector256.MultiplyAddEstimate(v, w1, a21);
            a22 = Vector256.MultiplyAddEstimate(v, w2, a22);
            a23 = Vector256.MultiplyAddEstimate(v, w3, a23);
            v = Vector256.Create(Unsafe.Add(ref x3, r));
            a30 = Vector256.MultiplyAddEstimate(v, w0, a30);
            a31 = Vector256.MultiplyAddEstimate(v, w1, a31);
            a32 = Vector256.MultiplyAddEstimate(v, w2, a32);
            a33 = Vector256.MultiplyAddEstimate(v, w3, a33);
            wr = ref Unsafe.Add(ref wr, Block);
        }
        StoreRow(ref y, a00, a01, a02, a03, relu);
        StoreRow(ref Unsafe.Add(ref y, outC), a10, a11, a12, a13, relu);
        StoreRow(ref Unsafe.Add(ref y, 2 * outC), a20, a21, a22, a23, relu);
        StoreRow(ref Unsafe.Add(ref y, 3 * outC), a30, a31, a32, a33, relu);
    }

    /// <summary>6 positions x 32 channels, all lanes real: 24 accumulators, so each weight vector loaded serves
    /// 6 positions (less weight traffic from L2 than 4 x 32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile6x32(ref float x0, int inC, ref float wb, int reduction, ref float bias, ref float y, int outC, bool relu)
    {
        var b0 = Vector256.LoadUnsafe(ref bias, 0);
        var b1 = Vector256.LoadUnsafe(ref bias, 8);
        var b2 = Vector256.LoadUnsafe(ref bias, 16);
        var b3 = Vector256.LoadUnsafe(ref bias, 24);
        Vector256<float> a00 = b0, a01 = b1, a02 = b2, a03 = b3;
        Vector256<float> a10 = b0, a11 = b1, a12 = b2, a13 = b3;
        Vector256<float> a20 = b0, a21 = b1, a22 = b2, a23 = b3;
        Vector256<float> a30 = b0, a31 = b1, a32 = b2, a33 = b3;
        Vector256<float> a40 = b0, a41 = b1, a42 = b2, a43 = b3;
        Vector256<float> a50 = b0, a51 = b1, a52 = b2, a53 = b3;
        ref float x1 = ref Unsafe.Add(ref x0, inC);
        ref float x2 = ref Unsafe.Add(ref x1, inC);
        ref float x3 = ref Unsafe.Add(ref x2, inC);
        ref float x4 = ref Unsafe.Add(ref x3, inC);
        ref float x5 = ref Unsafe.Add(ref x4, inC);
        ref float wr = ref wb;
        for (int r = 0; r < reduction; r++)
        {
            var w0 = Vector256.LoadUnsafe(ref wr, 0);
            var w1 = Vector256.LoadUnsafe(ref wr, 8);
            var w2 = Vector256.LoadUnsafe(ref wr, 16);
            var w3 = Vector256.LoadUnsafe(ref wr, 24);
            var v = Vector256.Create(Unsafe.Add(ref x0, r));
            a00 = Vector256.MultiplyAddEstimate(v, w0, a00);
            a01 = Vector256.MultiplyAddEstimate(v, w1, a01);
            a02 = Vector256.MultiplyAddEstimate(v, w2, a02);
            a03 = Vector256.MultiplyAddEstimate(v, w3, a03);
            v = Vector256.Create(Unsafe.Add(ref x1, r));
            a10 = Vector256.MultiplyAddEstimate(v, w0, a10);
            a11 = Vector256.MultiplyAddEstimate(v, w1, a11);
            a12 = Vector256.MultiplyAddEstimate(v, w2, a12);
            a13 = Vector256.MultiplyAddEstimate(v, w3, a13);
            v = Vector256.Create(Unsafe.Add(ref x2, r));
            a20 = Vector256.MultiplyAddEstimate(v, w0, a20);
            a21 = Vector256.MultiplyAddEstimate(v, w1, a21);
            a22 = Vector256.MultiplyAddEstimate(v, w2, a22);
            a23 = Vector256.MultiplyAddEstimate(v, w3, a23);
            v = Vector256.Create(Unsafe.Add(ref x3, r));
            a30 = Vector256.MultiplyAddEstimate(v, w0, a30);
            a31 = Vector256.MultiplyAddEstimate(v, w1, a31);
            a32 = Vector256.MultiplyAddEstimate(v, w2, a32);
            a33 = Vector256.MultiplyAddEstimate(v, w3, a33);
            v = Vector256.Create(Unsafe.Add(ref x4, r));
            a40 = Vector256.MultiplyAddEstimate(v, w0, a40);
            a41 = Vector256.MultiplyAddEstimate(v, w1, a41);
            a42 = Vector256.MultiplyAddEstimate(v, w2, a42);
            a43 = Vector256.MultiplyAddEstimate(v, w3, a43);
            v = Vector256.Create(Unsafe.Add(ref x5, r));
            a50 = Vector256.MultiplyAddEstimate(v, w0, a50);
            a51 = Vector256.MultiplyAddEstimate(v, w1, a51);
            a52 = Vector256.MultiplyAddEstimate(v, w2, a52);
            a53 = Vector256.MultiplyAddEstimate(v, w3, a53);
            wr = ref Unsafe.Add(ref wr, Block);
        }
        StoreRow(ref y, a00, a01, a02, a03, relu);
        StoreRow(ref Unsafe.Add(ref y, 1 * outC), a10, a11, a12, a13, relu);
        StoreRow(ref Unsafe.Add(ref y, 2 * outC), a20, a21, a22, a23, relu);
        StoreRow(ref Unsafe.Add(ref y, 3 * outC), a30, a31, a32, a33, relu);
        StoreRow(ref Unsafe.Add(ref y, 4 * outC), a40, a41, a42, a43, relu);
        StoreRow(ref Unsafe.Add(ref y, 5 * outC), a50, a51, a52, a53, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(ref float y, Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3, bool relu)
    {
        if (relu)
        {
            a0 = Vector256.Max(a0, Vector256<float>.Zero);
            a1 = Vector256.Max(a1, Vector256<float>.Zero);
            a2 = Vector256.Max(a2, Vector256<float>.Zero);
            a3 = Vector256.Max(a3, Vector256<float>.Zero);
        }
        a0.StoreUnsafe(ref y);
        a1.StoreUnsafe(ref y, 8);
        a2.StoreUnsafe(ref y, 16);
        a3.StoreUnsafe(ref y, 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(ref float y, int at, int lanes, Vector256<float> a0, Vector256<float> a1, bool relu, Span<float> partial)
    {
        if (relu)
        {
            a0 = Vector256.Max(a0, Vector256<float>.Zero);
            a1 = Vector256.Max(a1, Vector256<float>.Zero);
        }
        if (lanes == Half)
        {
            a0.StoreUnsafe(ref y, (nuint)at);
            a1.StoreUnsafe(ref y, (nuint)(at + 8));
            return;
        }
        // Last block of a channel count that is not a multiple of 16: store only the real lanes.
        ref float p = ref MemoryMarshal.GetReference(partial);
        a0.StoreUnsafe(ref p);
        a1.StoreUnsafe(ref p, 8);
        for (int q = 0; q < lanes; q++)
            Unsafe.Add(ref y, at + q) = Unsafe.Add(ref p, q);
    }

    private static void RunV128(ReadOnlySpan<float> x, int length, PackedConv1D conv, Span<float> y, bool relu, bool wide)
    {
        int inC = conv.InChannels, outC = conv.OutChannels, reduction = conv.ReductionLength;
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float ws = ref MemoryMarshal.GetArrayDataReference(conv.Weights);
        ref float bs = ref MemoryMarshal.GetArrayDataReference(conv.Bias);
        Span<float> partial = stackalloc float[Half];
        for (int b = 0; b < conv.Blocks; b++)
        {
            ref float wb = ref Unsafe.Add(ref ws, (nint)b * reduction * Block);
            for (int h = 0; h < Block / Half; h++)
            {
                int c0 = (b * Block) + (h * Half);
                int lanes = Math.Min(Half, outC - c0);
                if (lanes <= 0)
                    break;
                ref float wh = ref Unsafe.Add(ref wb, h * Half);
                var bias0 = Vector128.LoadUnsafe(ref bs, (nuint)c0);
                var bias1 = Vector128.LoadUnsafe(ref bs, (nuint)(c0 + 4));
                var bias2 = Vector128.LoadUnsafe(ref bs, (nuint)(c0 + 8));
                var bias3 = Vector128.LoadUnsafe(ref bs, (nuint)(c0 + 12));
                int l = 0;
                if (wide && lanes == Half)
                {
                    // NEON's 32 registers hold a 4 x 16 tile: 16 accumulators, 4 weight vectors, a broadcast.
                    for (; l <= length - Positions; l += Positions)
                        Tile4x16V128(ref Unsafe.Add(ref xs, (nint)l * inC), inC, ref wh, reduction, ref Unsafe.Add(ref bs, c0),
                            ref Unsafe.Add(ref ys, (l * outC) + c0), outC, relu);
                }
                // 2 positions x 16 channels = 8 accumulators: fits the 16 XMM registers of SSE.
                for (; l <= length - 2; l += 2)
                {
                    Vector128<float> a00 = bias0, a01 = bias1, a02 = bias2, a03 = bias3;
                    Vector128<float> a10 = bias0, a11 = bias1, a12 = bias2, a13 = bias3;
                    ref float x0 = ref Unsafe.Add(ref xs, (nint)l * inC);
                    ref float x1 = ref Unsafe.Add(ref x0, inC);
                    ref float wr = ref wh;
                    for (int r = 0; r < reduction; r++)
                    {
                        var w0 = Vector128.LoadUnsafe(ref wr);
                        var w1 = Vector128.LoadUnsafe(ref wr, 4);
                        var w2 = Vector128.LoadUnsafe(ref wr, 8);
                        var w3 = Vector128.LoadUnsafe(ref wr, 12);
                        var v = Vector128.Create(Unsafe.Add(ref x0, r));
                        a00 = Vector128.MultiplyAddEstimate(v, w0, a00);
                        a01 = Vector128.MultiplyAddEstimate(v, w1, a01);
                        a02 = Vector128.MultiplyAddEstimate(v, w2, a02);
                        a03 = Vector128.MultiplyAddEstimate(v, w3, a03);
                        v = Vector128.Create(Unsafe.Add(ref x1, r));
                        a10 = Vector128.MultiplyAddEstimate(v, w0, a10);
                        a11 = Vector128.MultiplyAddEstimate(v, w1, a11);
                        a12 = Vector128.MultiplyAddEstimate(v, w2, a12);
                        a13 = Vector128.MultiplyAddEstimate(v, w3, a13);
                        wr = ref Unsafe.Add(ref wr, Block);
                    }
                    Store128(ref ys, (l * outC) + c0, lanes, a00, a01, a02, a03, relu, partial);
                    Store128(ref ys, ((l + 1) * outC) + c0, lanes, a10, a11, a12, a13, relu, partial);
                }
                for (; l < length; l++)
                {
                    Vector128<float> a0 = bias0, a1 = bias1, a2 = bias2, a3 = bias3;
                    ref float x0 = ref Unsafe.Add(ref xs, (nint)l * inC);
                    ref float wr = ref wh;
                    for (int r = 0; r < reduction; r++)
                    {
                        var v = Vector128.Create(Unsafe.Add(ref x0, r));
                        a0 = Vector128.MultiplyAddEstimate(v, Vector128.LoadUnsafe(ref wr), a0);
                        a1 = Vector128.MultiplyAddEstimate(v, Vector128.LoadUnsafe(ref wr, 4), a1);
                        a2 = Vector128.MultiplyAddEstimate(v, Vector128.LoadUnsafe(ref wr, 8), a2);
                        a3 = Vector128.MultiplyAddEstimate(v, Vector128.LoadUnsafe(ref wr, 12), a3);
                        wr = ref Unsafe.Add(ref wr, Block);
                    }
                    Store128(ref ys, (l * outC) + c0, lanes, a0, a1, a2, a3, relu, partial);
                }
            }
        }
    }

    /// <summary>4 positions x 16 channels of Vector128 accumulators, all lanes real.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x16V128(ref float x0, int inC, ref float wh, int reduction, ref float bias, ref float y, int outC, bool relu)
    {
        var b0 = Vector128.LoadUnsafe(ref bias);
        var b1 = Vector128.LoadUnsafe(ref bias, 4);
        var b2 = Vector128.LoadUnsafe(ref bias, 8);
        var b3 = Vector128.LoadUnsafe(ref bias, 12);
        Vector128<float> a00 = b0, a01 = b1, a02 = b2, a03 = b3, a10 = b0, a11 = b1, a12 = b2, a13 = b3;
        Vector128<float> a20 = b0, a21 = b1, a22 = b2, a23 = b3, a30 = b0, a31 = b1, a32 = b2, a33 = b3;
        ref float x1 = ref Unsafe.Add(ref x0, inC);
        ref float x2 = ref Unsafe.Add(ref x1, inC);
        ref float x3 = ref Unsafe.Add(ref x2, inC);
        ref float wr = ref wh;
        for (int r = 0; r < reduction; r++)
        {
            var w0 = Vector128.LoadUnsafe(ref wr);
            var w1 = Vector128.LoadUnsafe(ref wr, 4);
            var w2 = Vector128.LoadUnsafe(ref wr, 8);
            var w3 = Vector128.LoadUnsafe(ref wr, 12);
            var v = Vector128.Create(Unsafe.Add(ref x0, r));
            a00 = Vector128.MultiplyAddEstimate(v, w0, a00);
            a01 = Vector128.MultiplyAddEstimate(v, w1, a01);
            a02 = Vector128.MultiplyAddEstimate(v, w2, a02);
            a03 = Vector128.MultiplyAddEstimate(v, w3, a03);
            v = Vector128.Create(Unsafe.Add(ref x1, r));
            a10 = Vector128.MultiplyAddEstimate(v, w0, a10);
            a11 = Vector128.MultiplyAddEstimate(v, w1, a11);
            a12 = Vector128.MultiplyAddEstimate(v, w2, a12);
            a13 = Vector128.MultiplyAddEstimate(v, w3, a13);
            v = Vector128.Create(Unsafe.Add(ref x2, r));
            a20 = Vector128.MultiplyAddEstimate(v, w0, a20);
            a21 = Vector128.MultiplyAddEstimate(v, w1, a21);
            a22 = Vector128.MultiplyAddEstimate(v, w2, a22);
            a23 = Vector128.MultiplyAddEstimate(v, w3, a23);
            v = Vector128.Create(Unsafe.Add(ref x3, r));
            a30 = Vector128.MultiplyAddEstimate(v, w0, a30);
            a31 = Vector128.MultiplyAddEstimate(v, w1, a31);
            a32 = Vector128.MultiplyAddEstimate(v, w2, a32);
            a33 = Vector128.MultiplyAddEstimate(v, w3, a33);
            wr = ref Unsafe.Add(ref wr, Block);
        }
        StoreRow128(ref y, a00, a01, a02, a03, relu);
        StoreRow128(ref Unsafe.Add(ref y, outC), a10, a11, a12, a13, relu);
        StoreRow128(ref Unsafe.Add(ref y, 2 * outC), a20, a21, a22, a23, relu);
        StoreRow128(ref Unsafe.Add(ref y, 3 * outC), a30, a31, a32, a33, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow128(ref float y, Vector128<float> a0, Vector128<float> a1, Vector128<float> a2, Vector128<float> a3, bool relu)
    {
        if (relu)
        {
            a0 = Vector128.Max(a0, Vector128<float>.Zero);
            a1 = Vector128.Max(a1, Vector128<float>.Zero);
            a2 = Vector128.Max(a2, Vector128<float>.Zero);
            a3 = Vector128.Max(a3, Vector128<float>.Zero);
        }
        a0.StoreUnsafe(ref y);
        a1.StoreUnsafe(ref y, 4);
        a2.StoreUnsafe(ref y, 8);
        a3.StoreUnsafe(ref y, 12);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store128(ref float y, int at, int lanes, Vector128<float> a0, Vector128<float> a1, Vector128<float> a2, Vector128<float> a3,
        bool relu, Span<float> partial)
    {
        if (relu)
        {
            a0 = Vector128.Max(a0, Vector128<float>.Zero);
            a1 = Vector128.Max(a1, Vector128<float>.Zero);
            a2 = Vector128.Max(a2, Vector128<float>.Zero);
            a3 = Vector128.Max(a3, Vector128<float>.Zero);
        }
        bool full = lanes == Half;
        ref float p = ref full ? ref Unsafe.Add(ref y, at) : ref MemoryMarshal.GetReference(partial);
        a0.StoreUnsafe(ref p);
        a1.StoreUnsafe(ref p, 4);
        a2.StoreUnsafe(ref p, 8);
        a3.StoreUnsafe(ref p, 12);
        if (!full)
        {
            for (int q = 0; q < lanes; q++)
                Unsafe.Add(ref y, at + q) = partial[q];
        }
    }
}
