using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmoSer.Runtime.Model.Kernels;

/// <summary>
/// Winograd minimal filtering F(m, k) for a stride-1 'same' Conv1D (channels-last): per tile of m outputs the
/// n = m + k - 1 padded input rows are transformed (B^T d, per input channel), each of the n transformed positions is a
/// GEMM (tiles x in) x (in x out) run by <see cref="Conv1DKernel"/> as a k = 1 conv over the tiles, and the n products
/// are folded back (A^T) with bias and optional ReLU. The transform matrices are built in double from the interpolation
/// points (Toom-Cook: G and A^T evaluate at the points, B^T is the inverse transposed Vandermonde), the filters are
/// transformed once at load.
/// </summary>
internal sealed class WinogradConv1D
{
    /// <summary>Interpolation points for F(4, 5); the last point is infinity.</summary>
    private static readonly double[] Points4x5 = [0, 1, -1, 2, -2, 0.5, -0.5];

    private readonly float[] _bt;   // n x n, row p = coefficients over the n input rows
    private readonly float[] _at;   // m x n

    private readonly double[] _g;   // n x k, row p = the filter polynomial evaluated at point p

    private WinogradConv1D(int m, int kernelSize, int inC, int outC, float[] bt, float[] at, double[] g, PackedConv1D[] positions, float[] bias)
    {
        _g = g;
        TileOutputs = m;
        KernelSize = kernelSize;
        InChannels = inC;
        OutChannels = outC;
        _bt = bt;
        _at = at;
        Positions = positions;
        Bias = bias;
    }

    public int TileOutputs { get; }

    public int KernelSize { get; }

    public int InChannels { get; }

    public int OutChannels { get; }

    /// <summary>Transformed positions per tile (m + k - 1).</summary>
    public int TilePositions => TileOutputs + KernelSize - 1;

    /// <summary>Per transformed position, the transformed filters packed as a k = 1 conv (bias zero).</summary>
    public PackedConv1D[] Positions { get; }

    /// <summary>Folded bias (out).</summary>
    public float[] Bias { get; }

    /// <summary>True when Winograd pays for this conv: k = 5 and enough channels that the GEMMs dominate.</summary>
    public static bool Applies(int kernelSize, int inChannels, int outChannels, int length) =>
        kernelSize == 5 && inChannels >= 32 && outChannels >= 32 && length >= 4;

    /// <summary>Outputs per tile of the F(4, k) form <see cref="FromPacked"/> builds.</summary>
    private const int OutputsPerTile = 4;

    /// <summary>Scratch floats for <see cref="Run"/> of the F(4, k) form of a conv of this shape over <paramref name="length"/> outputs.</summary>
    public static int ScratchElements(int kernelSize, int inChannels, int outChannels, int length)
    {
        int positions = OutputsPerTile + kernelSize - 1, tiles = (length + OutputsPerTile - 1) / OutputsPerTile;
        return (positions * tiles * (inChannels + outChannels)) + (positions * inChannels);
    }

    public int Tiles(int length) => (length + TileOutputs - 1) / TileOutputs;

    /// <summary>Scratch floats for <see cref="Run"/> over <paramref name="length"/> outputs.</summary>
    public int ScratchElements(int length) => ScratchElements(KernelSize, InChannels, OutChannels, length);

    /// <summary>Builds F(4, k) from a direct packed conv (BatchNorm already folded there).</summary>
    public static WinogradConv1D FromPacked(PackedConv1D conv)
    {
        var wino = Allocate(conv.Bias.AsSpan(0, conv.OutChannels).ToArray(), conv.InChannels, conv.OutChannels, conv.KernelSize);
        var taps = new PackedTaps(conv.Weights, conv.ReductionLength, conv.InChannels);
        for (int b = 0; b < wino.BlockCount; b++)
            wino.FillBlock(taps, b);
        return wino;
    }

    /// <summary>
    /// Builds F(4, k) straight from PyTorch-layout weights (out, in, k) and bias, folding <paramref name="batchNorm"/> as
    /// <see cref="PackedConv1D.Pack"/> does: the same transformed weights as <c>FromPacked(Pack(...))</c>, bit for bit,
    /// without the direct packing's pass and memory (a model's load makes one of these per conv).
    /// </summary>
    public static WinogradConv1D FromWeights(float[] weight, ReadOnlySpan<float> bias, int inChannels, int outChannels, int kernelSize,
        BatchNormParameters? batchNorm = null)
    {
        var (wino, taps) = ForWeights(weight, bias, inChannels, outChannels, kernelSize, batchNorm);
        for (int b = 0; b < wino.BlockCount; b++)
            wino.FillBlock(taps, b);
        return wino;
    }

    /// <summary>
    /// As <see cref="FromWeights"/>, but the filters are left to be filled, block by block, with <see cref="FillBlock"/> and
    /// the returned taps: blocks are independent, so several threads may fill different ones (a model's Prepare does).
    /// </summary>
    internal static (WinogradConv1D Conv, RawTaps Taps) ForWeights(float[] weight, ReadOnlySpan<float> bias, int inChannels, int outChannels,
        int kernelSize, BatchNormParameters? batchNorm)
    {
        if (weight.Length != outChannels * inChannels * kernelSize || bias.Length != outChannels)
            throw new ArgumentException("Conv1D weight or bias does not match the shape.");
        var scale = new double[outChannels];
        var folded = new float[outChannels];
        for (int o = 0; o < outChannels; o++)
        {
            (scale[o], double shift) = PackedConv1D.FoldBatchNorm(bias, batchNorm, o);
            folded[o] = (float)shift;
        }
        return (Allocate(folded, inChannels, outChannels, kernelSize), new RawTaps(weight, scale, inChannels, kernelSize));
    }

    /// <summary>Blocks of <see cref="PackedConv1D.BlockWidth"/> output channels, the unit of <see cref="FillBlock"/>.</summary>
    public int BlockCount => (OutChannels + PackedConv1D.BlockWidth - 1) / PackedConv1D.BlockWidth;

    /// <summary>Where <see cref="FillBlock"/> reads tap j of the (out o, in i) filter, as the float the direct packing holds.</summary>
    internal interface ITapSource
    {
        float Tap(int o, int i, int j);
    }

    /// <summary>Taps of a direct packing: ((block * reduction) + j * in + i) * Block + lane.</summary>
    private readonly struct PackedTaps(float[] weights, int reduction, int inChannels) : ITapSource
    {
        public float Tap(int o, int i, int j) =>
            weights[((((o / PackedConv1D.BlockWidth) * reduction) + (j * inChannels) + i) * PackedConv1D.BlockWidth) + (o % PackedConv1D.BlockWidth)];
    }

    /// <summary>Taps of PyTorch-layout weights with a per-output BatchNorm scale, rounded as the direct packing rounds them.</summary>
    internal readonly struct RawTaps(float[] weight, double[] scale, int inChannels, int kernelSize) : ITapSource
    {
        public float Tap(int o, int i, int j) => (float)(weight[(((o * inChannels) + i) * kernelSize) + j] * scale[o]);
    }

    /// <summary>The transform matrices and zeroed filter storage of F(4, k) for this shape.</summary>
    private static WinogradConv1D Allocate(float[] bias, int inC, int outC, int k)
    {
        const int m = OutputsPerTile;
        int n = m + k - 1;
        if (n - 1 != Points4x5.Length)
            throw new ArgumentException("Winograd F(4, k) is set up for k = 5 only.");
        var pts = Points4x5;
        // G (n x k): evaluate the filter polynomial; infinity picks the leading coefficient.
        var g = new double[n * k];
        var at = new double[m, n];
        var v = new double[n, n];
        for (int p = 0; p < n; p++)
        {
            bool inf = p == n - 1;
            for (int j = 0; j < k; j++)
                g[(p * k) + j] = inf ? (j == k - 1 ? 1 : 0) : Math.Pow(pts[p], j);
            for (int q = 0; q < m; q++)
                at[q, p] = inf ? (q == m - 1 ? 1 : 0) : Math.Pow(pts[p], q);
            for (int q = 0; q < n; q++)
                v[p, q] = inf ? (q == n - 1 ? 1 : 0) : Math.Pow(pts[p], q);
        }
        var vinv = Invert(v);
        var bt = new float[n * n];
        for (int p = 0; p < n; p++)
        {
            for (int q = 0; q < n; q++)
                bt[(p * n) + q] = (float)vinv[q, p]; // B^T = V^-T
        }
        var atf = new float[m * n];
        for (int q = 0; q < m; q++)
        {
            for (int p = 0; p < n; p++)
                atf[(q * n) + p] = (float)at[q, p];
        }
        int block = PackedConv1D.BlockWidth, blocks = (outC + block - 1) / block;
        var positions = new PackedConv1D[n];
        for (int p = 0; p < n; p++)
            positions[p] = new PackedConv1D(inC, outC, 1, new float[blocks * inC * block], new float[blocks * block]);
        return new WinogradConv1D(m, k, inC, outC, bt, atf, g, positions, bias);
    }

    /// <summary>
    /// Fills output block <paramref name="b"/>'s transformed filters of every position. Position p's filters are G row
    /// p applied to each (out, in) pair's k taps, written in the k = 1 packing (((block * in) + i) * Block + lane), in
    /// lane order. The sums run over j in order, in double, so every weight is the same as a k = 1 Pack of them.
    /// Blocks are disjoint: threads may fill different blocks at once.
    /// </summary>
    internal void FillBlock<TTaps>(TTaps source, int b)
        where TTaps : struct, ITapSource
    {
        int k = KernelSize, n = TilePositions, inC = InChannels, block = PackedConv1D.BlockWidth;
        int lanes = Math.Min(block, OutChannels - (b * block));
        // Per in: the k taps of the block's lanes widened to double, then each position's sums over the lanes in
        // Vector<double> steps (lane-wise multiply then add, as the scalar sum does: no fused multiply-add).
        Span<double> taps = stackalloc double[k * block];
        Span<double> sums = stackalloc double[block];
        int width = Vector<double>.Count;
        for (int i = 0; i < inC; i++)
        {
            for (int j = 0; j < k; j++)
            {
                for (int lane = 0; lane < lanes; lane++)
                    taps[(j * block) + lane] = source.Tap((b * block) + lane, i, j);
            }
            int target = ((b * inC) + i) * block;
            for (int p = 0; p < n; p++)
            {
                int lane = 0;
                for (; lane + width <= lanes; lane += width)
                {
                    var s = Vector<double>.Zero;
                    for (int j = 0; j < k; j++)
                        s += new Vector<double>(_g[(p * k) + j]) * new Vector<double>(taps.Slice((j * block) + lane, width));
                    s.CopyTo(sums.Slice(lane, width));
                }
                for (; lane < lanes; lane++)
                {
                    double s = 0;
                    for (int j = 0; j < k; j++)
                        s += _g[(p * k) + j] * taps[(j * block) + lane];
                    sums[lane] = s;
                }
                float[] destination = Positions[p].Weights;
                for (lane = 0; lane < lanes; lane++)
                    destination[target + lane] = (float)sums[lane];
            }
        }
    }

    private static double[,] Invert(double[,] a)
    {
        int n = a.GetLength(0);
        var m = new double[n, 2 * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
                m[i, j] = a[i, j];
            m[i, n + i] = 1;
        }
        for (int c = 0; c < n; c++)
        {
            int piv = c;
            for (int r = c + 1; r < n; r++)
            {
                if (Math.Abs(m[r, c]) > Math.Abs(m[piv, c]))
                    piv = r;
            }
            for (int j = 0; j < 2 * n; j++)
                (m[c, j], m[piv, j]) = (m[piv, j], m[c, j]);
            double d = m[c, c];
            for (int j = 0; j < 2 * n; j++)
                m[c, j] /= d;
            for (int r = 0; r < n; r++)
            {
                if (r == c || m[r, c] == 0)
                    continue;
                double f = m[r, c];
                for (int j = 0; j < 2 * n; j++)
                    m[r, j] -= f * m[c, j];
            }
        }
        var inv = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
                inv[i, j] = m[i, n + j];
        }
        return inv;
    }

    /// <summary>
    /// y (length, out) = conv(padded) + bias (then ReLU); <paramref name="padded"/> as for <see cref="Conv1DKernel.Run(ReadOnlySpan{float}, int, PackedConv1D, Span{float}, bool, KernelPath)"/>.
    /// </summary>
    public void Run(ReadOnlySpan<float> padded, int length, Span<float> y, bool relu, Span<float> scratch, KernelPath path)
    {
        int m = TileOutputs, n = TilePositions, inC = InChannels, outC = OutChannels, tiles = Tiles(length);
        int rows = length + KernelSize - 1;
        if (padded.Length < rows * inC || y.Length < length * outC || scratch.Length < ScratchElements(length))
            throw new ArgumentException("Winograd Conv1D spans do not match the shape.");
        var v = scratch[..(n * tiles * inC)];
        var prod = scratch.Slice(n * tiles * inC, n * tiles * outC);
        var tail = scratch.Slice(n * tiles * (inC + outC), n * inC);
        for (int t = 0; t < tiles; t++)
        {
            int r0 = t * m;
            ReadOnlySpan<float> d;
            if (r0 + n <= rows)
            {
                d = padded.Slice(r0 * inC, n * inC);
            }
            else
            {
                var last = tail[..(n * inC)];
                last.Clear();
                padded[(r0 * inC)..(rows * inC)].CopyTo(last);
                d = last;
            }
            for (int p = 0; p < n; p++)
                Combine(d, inC, _bt.AsSpan(p * n, n), v.Slice(((p * tiles) + t) * inC, inC), default, false, path);
        }
        for (int p = 0; p < n; p++)
            Conv1DKernel.Run(v.Slice(p * tiles * inC, tiles * inC), tiles, Positions[p], prod.Slice(p * tiles * outC, tiles * outC), false, path);
        // Product p of tile t is row t of GEMM p: the rows of one tile are tiles * out apart.
        for (int t = 0; t < tiles; t++)
        {
            var src = prod[(t * outC)..];
            int count = Math.Min(m, length - (t * m));
            for (int q = 0; q < count; q++)
                Combine(src, tiles * outC, _at.AsSpan(q * n, n), y.Slice(((t * m) + q) * outC, outC), Bias, relu, path);
        }
    }

    /// <summary>dst[c] = (bias[c]) + sum_q coef[q] * src[q * stride + c], then ReLU if asked.</summary>
    private static void Combine(ReadOnlySpan<float> src, int stride, ReadOnlySpan<float> coef, Span<float> dst, ReadOnlySpan<float> bias, bool relu,
        KernelPath path)
    {
        int width = dst.Length, c = 0, n = coef.Length;
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float ds = ref MemoryMarshal.GetReference(dst);
        ref float co = ref MemoryMarshal.GetReference(coef);
        bool hasBias = !bias.IsEmpty;
        if (path == KernelPath.V256)
        {
            // Four independent accumulators per step: one chain would wait on the FMA latency at every coefficient.
            for (; c <= width - 32; c += 32)
            {
                Vector256<float> a0, a1, a2, a3;
                if (hasBias)
                {
                    a0 = Vector256.Create(bias.Slice(c, 8));
                    a1 = Vector256.Create(bias.Slice(c + 8, 8));
                    a2 = Vector256.Create(bias.Slice(c + 16, 8));
                    a3 = Vector256.Create(bias.Slice(c + 24, 8));
                }
                else
                {
                    a0 = a1 = a2 = a3 = Vector256<float>.Zero;
                }
                for (int q = 0; q < n; q++)
                {
                    float w = Unsafe.Add(ref co, q);
                    if (w == 0)
                        continue;
                    var wv = Vector256.Create(w);
                    ref float sq = ref Unsafe.Add(ref s, (q * stride) + c);
                    a0 = Vector256.MultiplyAddEstimate(wv, Vector256.LoadUnsafe(ref sq), a0);
                    a1 = Vector256.MultiplyAddEstimate(wv, Vector256.LoadUnsafe(ref sq, 8), a1);
                    a2 = Vector256.MultiplyAddEstimate(wv, Vector256.LoadUnsafe(ref sq, 16), a2);
                    a3 = Vector256.MultiplyAddEstimate(wv, Vector256.LoadUnsafe(ref sq, 24), a3);
                }
                if (relu)
                {
                    a0 = Vector256.Max(a0, Vector256<float>.Zero);
                    a1 = Vector256.Max(a1, Vector256<float>.Zero);
                    a2 = Vector256.Max(a2, Vector256<float>.Zero);
                    a3 = Vector256.Max(a3, Vector256<float>.Zero);
                }
                a0.StoreUnsafe(ref ds, (nuint)c);
                a1.StoreUnsafe(ref ds, (nuint)(c + 8));
                a2.StoreUnsafe(ref ds, (nuint)(c + 16));
                a3.StoreUnsafe(ref ds, (nuint)(c + 24));
            }
            for (; c <= width - 8; c += 8)
            {
                var acc = hasBias ? Vector256.Create(bias.Slice(c, 8)) : Vector256<float>.Zero;
                for (int q = 0; q < n; q++)
                {
                    float w = Unsafe.Add(ref co, q);
                    if (w != 0)
                        acc = Vector256.MultiplyAddEstimate(Vector256.Create(w), Vector256.LoadUnsafe(ref s, (nuint)((q * stride) + c)), acc);
                }
                if (relu)
                    acc = Vector256.Max(acc, Vector256<float>.Zero);
                acc.StoreUnsafe(ref ds, (nuint)c);
            }
        }
        else if (path == KernelPath.V128)
        {
            for (; c <= width - 16; c += 16)
            {
                Vector128<float> a0, a1, a2, a3;
                if (hasBias)
                {
                    a0 = Vector128.Create(bias.Slice(c, 4));
                    a1 = Vector128.Create(bias.Slice(c + 4, 4));
                    a2 = Vector128.Create(bias.Slice(c + 8, 4));
                    a3 = Vector128.Create(bias.Slice(c + 12, 4));
                }
                else
                {
                    a0 = a1 = a2 = a3 = Vector128<float>.Zero;
                }
                for (int q = 0; q < n; q++)
                {
                    float w = Unsafe.Add(ref co, q);
                    if (w == 0)
                        continue;
                    var wv = Vector128.Create(w);
                    ref float sq = ref Unsafe.Add(ref s, (q * stride) + c);
                    a0 = Vector128.MultiplyAddEstimate(wv, Vector128.LoadUnsafe(ref sq), a0);
                    a1 = Vector128.MultiplyAddEstimate(wv, Vector128.LoadUnsafe(ref sq, 4), a1);
                    a2 = Vector128.MultiplyAddEstimate(wv, Vector128.LoadUnsafe(ref sq, 8), a2);
                    a3 = Vector128.MultiplyAddEstimate(wv, Vector128.LoadUnsafe(ref sq, 12), a3);
                }
                if (relu)
                {
                    a0 = Vector128.Max(a0, Vector128<float>.Zero);
                    a1 = Vector128.Max(a1, Vector128<float>.Zero);
                    a2 = Vector128.Max(a2, Vector128<float>.Zero);
                    a3 = Vector128.Max(a3, Vector128<float>.Zero);
                }
                a0.StoreUnsafe(ref ds, (nuint)c);
                a1.StoreUnsafe(ref ds, (nuint)(c + 4));
                a2.StoreUnsafe(ref ds, (nuint)(c + 8));
                a3.StoreUnsafe(ref ds, (nuint)(c + 12));
            }
            for (; c <= width - 4; c += 4)
            {
                var acc = hasBias ? Vector128.Create(bias.Slice(c, 4)) : Vector128<float>.Zero;
                for (int q = 0; q < n; q++)
                {
                    float w = Unsafe.Add(ref co, q);
                    if (w != 0)
                        acc = Vector128.MultiplyAddEstimate(Vector128.Create(w), Vector128.LoadUnsafe(ref s, (nuint)((q * stride) + c)), acc);
                }
                if (relu)
                    acc = Vector128.Max(acc, Vector128<float>.Zero);
                acc.StoreUnsafe(ref ds, (nuint)c);
            }
        }
        for (; c < width; c++)
        {
            float acc = hasBias ? bias[c] : 0;
            for (int q = 0; q < n; q++)
            {
                float w = Unsafe.Add(ref co, q);
                if (w != 0)
                    acc += w * Unsafe.Add(ref s, (q * stride) + c);
            }
            Unsafe.Add(ref ds, c) = relu && acc < 0 ? 0 : acc;
        }
    }
}
