using EmoSer.Runtime.Model;
using EmoSer.Runtime.Model.Kernels;

namespace EmoSer.Runtime.Tests.Model;

[Trait("Category", "unit")]
public class KernelTests
{
    public static TheoryData<string> Paths => ["scalar", "v128", "v256"];

    // (length, in, out, k): odd lengths, channel counts off the vector widths, k = 1, even k, length < k.
    public static TheoryData<string, int, int, int, int> ConvShapes()
    {
        var data = new TheoryData<string, int, int, int, int>();
        int[][] shapes = [[1, 1, 1, 1], [7, 1, 256, 5], [13, 3, 17, 5], [193, 2, 33, 5], [24, 20, 16, 3], [5, 9, 31, 4], [2, 5, 7, 7], [11, 16, 48, 2], [37, 13, 5, 9]];
        foreach (var path in new[] { "scalar", "v128", "v256" })
        {
            foreach (var s in shapes)
                data.Add(path, s[0], s[1], s[2], s[3]);
        }
        return data;
    }

    private static double[] ToDouble(float[] a) => a.Select(v => (double)v).ToArray();

    private static void AssertClose(double[] expected, ReadOnlySpan<float> actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i] - actual[i]) > tolerance * (1 + Math.Abs(expected[i])))
                Assert.Fail($"index {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(ConvShapes))]
    public void Conv_matches_direct_convolution(string pathName, int length, int inC, int outC, int k)
    {
        var path = KernelSelection.Choose(pathName);
        var rng = new Random((length * 31) + (inC * 7) + outC + k);
        var x = TestModels.Random(rng, length * inC);
        var w = TestModels.Random(rng, outC * inC * k);
        var b = TestModels.Random(rng, outC);
        var expected = ReferenceForward.Conv1D(ToDouble(x), length, inC, w, b, outC, k);

        foreach (bool relu in new[] { false, true })
        {
            var packed = PackedConv1D.Pack(w, b, inC, outC, k);
            var padded = new float[Conv1DKernel.PaddedLength(length, inC, k)];
            Conv1DKernel.Pad(x, length, inC, k, padded);
            var y = new float[(length * outC) + 3];
            y.AsSpan(length * outC).Fill(42); // must stay untouched
            // Both tile sizes, whatever this CPU would pick by default.
            foreach (bool wide in new[] { false, true })
            {
                y.AsSpan(0, length * outC).Clear();
                Conv1DKernel.Run(padded, length, packed, y, relu, path, wide);
                AssertClose(relu ? expected.Select(v => Math.Max(0, v)).ToArray() : expected, y.AsSpan(0, length * outC), 1e-5);
                Assert.Equal([42f, 42f, 42f], y[^3..]);
            }
        }
    }

    // (length, in, out): the model's lengths (193, 24), short ones (7, 1 < one tile), channel counts off the vector widths.
    public static TheoryData<string, int, int, int> WinogradShapes()
    {
        var data = new TheoryData<string, int, int, int>();
        int[][] shapes = [[193, 128, 128], [24, 128, 128], [7, 37, 45], [1, 33, 17], [193, 5, 3], [24, 20, 36], [13, 64, 70]];
        foreach (var path in new[] { "scalar", "v128", "v256" })
        {
            foreach (var s in shapes)
                data.Add(path, s[0], s[1], s[2]);
        }
        return data;
    }

    /// <summary>
    /// Winograd F(4, 5) vs the double reference. fp32 Winograd rounds in the transforms as well as the sums (the B^T
    /// entries reach 5.25 and the 1/2 points scale by up to 16), so the error is a few hundred ulps of the output
    /// scale rather than of each output; bound it by 1e-4 of the largest output magnitude.
    /// </summary>
    [Theory]
    [MemberData(nameof(WinogradShapes))]
    public void Winograd_matches_direct_convolution(string pathName, int length, int inC, int outC)
    {
        const int k = 5;
        var path = KernelSelection.Choose(pathName);
        var rng = new Random((length * 31) + (inC * 7) + outC);
        var x = TestModels.Random(rng, length * inC);
        var w = TestModels.Random(rng, outC * inC * k);
        var b = TestModels.Random(rng, outC);
        var expected = ReferenceForward.Conv1D(ToDouble(x), length, inC, w, b, outC, k);
        double scale = expected.Max(Math.Abs);
        var wino = WinogradConv1D.FromPacked(PackedConv1D.Pack(w, b, inC, outC, k));
        var padded = new float[Conv1DKernel.PaddedLength(length, inC, k)];
        Conv1DKernel.Pad(x, length, inC, k, padded);
        var scratch = new float[wino.ScratchElements(length)];
        foreach (bool relu in new[] { false, true })
        {
            var want = relu ? expected.Select(v => Math.Max(0, v)).ToArray() : expected;
            var y = new float[(length * outC) + 3];
            y.AsSpan(length * outC).Fill(42);
            scratch.AsSpan().Fill(float.NaN); // the kernel must not read stale scratch
            wino.Run(padded, length, y, relu, scratch, path);
            for (int i = 0; i < want.Length; i++)
            {
                if (!(Math.Abs(want[i] - y[i]) <= 1e-4 * scale))
                    Assert.Fail($"index {i}: expected {want[i]}, got {y[i]} (scale {scale})");
            }
            Assert.Equal([42f, 42f, 42f], y[^3..]);
        }
    }

    /// <summary>
    /// The transformed filters of every Winograd position are G row p applied to each (out, in) pair's taps, summed in
    /// tap order in double and rounded once, in the k = 1 packing: bit for bit what packing those filters directly
    /// gives, including channel counts that leave a block part-empty.
    /// </summary>
    [Theory]
    [InlineData(128, 128)]
    [InlineData(37, 45)]
    [InlineData(33, 17)]
    [InlineData(5, 3)]
    public void Winograd_filters_are_the_interpolated_taps_packed_as_a_pointwise_conv(int inC, int outC)
    {
        const int k = 5;
        double[] points = [0, 1, -1, 2, -2, 0.5, -0.5];
        var rng = new Random((inC * 7) + outC);
        var w = TestModels.Random(rng, outC * inC * k);
        var wino = WinogradConv1D.FromPacked(PackedConv1D.Pack(w, TestModels.Random(rng, outC), inC, outC, k));
        Assert.Equal(points.Length + 1, wino.Positions.Length);
        for (int p = 0; p < wino.Positions.Length; p++)
        {
            var filters = new float[outC * inC];
            for (int o = 0; o < outC; o++)
            {
                for (int i = 0; i < inC; i++)
                {
                    double s = 0;
                    for (int j = 0; j < k; j++)
                    {
                        // The last point is infinity: it keeps the leading tap.
                        double g = p == points.Length ? (j == k - 1 ? 1 : 0) : Math.Pow(points[p], j);
                        s += g * w[(((o * inC) + i) * k) + j];
                    }
                    filters[(o * inC) + i] = (float)s;
                }
            }
            var expected = PackedConv1D.Pack(filters, new float[outC], inC, outC, 1);
            Assert.Equal(1, wino.Positions[p].KernelSize);
            Assert.Equal(expected.Weights, wino.Positions[p].Weights);
            Assert.Equal(expected.Bias, wino.Positions[p].Bias);
        }
    }

    [Theory]
    [InlineData(128, 128, true)]
    [InlineData(37, 45, true)]
    [InlineData(33, 17, false)]
    [InlineData(64, 40, true)]
    public void Winograd_from_raw_weights_equals_winograd_from_the_direct_packing_bit_for_bit(int inC, int outC, bool batchNorm)
    {
        // A model's load builds Winograd convs straight from the file's weights (FromWeights); the direct packing's
        // route (FromPacked of Pack) is the reference: every transformed weight and bias must be the same float.
        const int k = 5;
        var rng = new Random((inC * 31) + outC);
        var w = TestModels.Random(rng, outC * inC * k);
        var b = TestModels.Random(rng, outC);
        BatchNormParameters? bn = batchNorm
            ? new BatchNormParameters(TestModels.Random(rng, outC, 0.5, 1), TestModels.Random(rng, outC), TestModels.Random(rng, outC),
                TestModels.Random(rng, outC, 0.5, 1), 1e-3f)
            : null;
        var expected = WinogradConv1D.FromPacked(PackedConv1D.Pack(w, b, inC, outC, k, bn));
        var actual = WinogradConv1D.FromWeights(w, b, inC, outC, k, bn);
        Assert.Equal(expected.Positions.Length, actual.Positions.Length);
        for (int p = 0; p < expected.Positions.Length; p++)
        {
            Assert.Equal(expected.Positions[p].Weights, actual.Positions[p].Weights);
            Assert.Equal(expected.Positions[p].Bias, actual.Positions[p].Bias);
        }
        Assert.Equal(expected.Bias, actual.Bias);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Batch_norm_folded_into_conv_matches_conv_then_batch_norm(string pathName)
    {
        var path = KernelSelection.Choose(pathName);
        var rng = new Random(5);
        int length = 19, inC = 6, outC = 21, k = 5;
        var x = TestModels.Random(rng, length * inC);
        var w = TestModels.Random(rng, outC * inC * k);
        var b = TestModels.Random(rng, outC);
        var bn = new BatchNormParameters(TestModels.Random(rng, outC, 0.5, 1), TestModels.Random(rng, outC), TestModels.Random(rng, outC),
            TestModels.Random(rng, outC, 0.5, 1), 1e-3f);
        var expected = ReferenceForward.Conv1D(ToDouble(x), length, inC, w, b, outC, k);
        for (int l = 0; l < length; l++)
        {
            for (int o = 0; o < outC; o++)
            {
                ref double v = ref expected[(l * outC) + o];
                v = (bn.Gamma[o] * (v - bn.RunningMean[o]) / Math.Sqrt(bn.RunningVar[o] + (double)bn.Epsilon)) + bn.Beta[o];
            }
        }
        var packed = PackedConv1D.Pack(w, b, inC, outC, k, bn);
        var padded = new float[Conv1DKernel.PaddedLength(length, inC, k)];
        Conv1DKernel.Pad(x, length, inC, k, padded);
        var y = new float[length * outC];
        Conv1DKernel.Run(padded, length, packed, y, relu: false, path);
        AssertClose(expected, y, 1e-5);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Max_pool_matches_reference(string pathName)
    {
        var path = KernelSelection.Choose(pathName);
        var rng = new Random(2);
        foreach (var (length, channels, pool, stride) in new[] { (193, 128, 8, 8), (17, 13, 3, 2), (9, 1, 9, 1), (30, 37, 4, 5), (8, 8, 1, 1) })
        {
            var x = TestModels.Random(rng, length * channels);
            int outL = ((length - pool) / stride) + 1;
            var expected = new double[outL * channels];
            for (int o = 0; o < outL; o++)
            {
                for (int c = 0; c < channels; c++)
                    expected[(o * channels) + c] = Enumerable.Range(0, pool).Max(p => x[(((o * stride) + p) * channels) + c]);
            }
            var y = new float[outL * channels];
            MaxPool1DKernel.Run(x, length, channels, pool, stride, y, path);
            AssertClose(expected, y, 0);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Dense_matches_reference(string pathName)
    {
        var path = KernelSelection.Choose(pathName);
        var rng = new Random(3);
        foreach (var (inF, outF) in new[] { (3072, 7), (1, 1), (37, 5), (33, 3), (100, 10) })
        {
            var x = TestModels.Random(rng, inF);
            var w = TestModels.Random(rng, inF * outF);
            var b = TestModels.Random(rng, outF);
            var expected = Enumerable.Range(0, outF).Select(o => b[o] + Enumerable.Range(0, inF).Sum(i => (double)w[(o * inF) + i] * x[i])).ToArray();
            var y = new float[outF];
            DenseKernel.Run(x, w, b, y, path);
            AssertClose(expected, y, 1e-5);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Relu_matches_reference(string pathName)
    {
        var path = KernelSelection.Choose(pathName);
        var rng = new Random(4);
        foreach (int n in new[] { 0, 1, 3, 8, 19, 257 })
        {
            var x = TestModels.Random(rng, n);
            var y = new float[n];
            ElementwiseKernels.Relu(x, y, path);
            Assert.Equal(x.Select(v => Math.Max(0f, v)).ToArray(), y);
            ElementwiseKernels.Relu(x, x, path); // in place
            Assert.Equal(y, x);
        }
    }

    [Fact]
    public void Softmax_matches_reference_and_survives_huge_logits()
    {
        float[] x = [1, 2, 3, -4, 0.5f];
        double max = x.Max();
        var e = x.Select(v => Math.Exp(v - max)).ToArray();
        var expected = e.Select(v => v / e.Sum()).ToArray();
        var y = new float[5];
        SoftmaxKernel.Run(x, y);
        AssertClose(expected, y, 1e-6);

        SoftmaxKernel.Run([1000f, 1000f, -1000f], y);
        Assert.Equal([0.5f, 0.5f, 0f], y[..3]);
    }

    [Fact]
    public void Kernel_selection_parses_the_environment_value()
    {
        Assert.Equal(KernelPath.Scalar, KernelSelection.Choose("scalar"));
        Assert.Equal(KernelPath.V128, KernelSelection.Choose("V128"));
        Assert.Equal(KernelPath.V256, KernelSelection.Choose(" v256 "));
        Assert.Equal(KernelSelection.Best, KernelSelection.Choose(null));
        Assert.Equal(KernelSelection.Best, KernelSelection.Choose("avx9000"));
    }
}
