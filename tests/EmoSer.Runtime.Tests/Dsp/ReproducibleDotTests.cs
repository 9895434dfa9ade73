using EmoSer.Runtime.Dsp;

namespace EmoSer.Runtime.Tests.Dsp;

[Trait("Category", "unit")]
public class ReproducibleDotTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(31)]
    [InlineData(114)]
    [InlineData(1001)]
    public void The_vector_path_equals_the_lane_by_lane_scalar_arithmetic_bit_for_bit(int n)
    {
        // The scalar emulation is what every build computes without vectors; equal bits here mean the result does not
        // depend on the vector width the CPU or the compiler picks.
        var rng = new Random(n + 1);
        float[] x = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] y = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * 1e-3f).ToArray();
        int i = 0;
        float expected = n >= 8 ? ReproducibleDot.ScalarBlocks(x, y, ref i) : 0;
        for (; i < n; i++)
            expected += x[i] * y[i];
        float actual = ReproducibleDot.Compute(x, y);
        Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(actual));
        // Every path, whatever this CPU picks by default: 256-bit where it has them, 128-bit (arm64), scalar.
        foreach (int bits in new[] { 256, 128, 0 })
        {
            if ((bits == 256 && !System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) || (bits == 128 && !System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated))
                continue;
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(ReproducibleDot.Compute(x, y, bits)));
        }
        double exact = 0;
        for (int k = 0; k < n; k++)
            exact += (double)x[k] * y[k];
        Assert.Equal(exact, actual, 1e-6);
    }

    /// <summary>A pair computed side by side is each of its dot products, bit for bit, on every path.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(116)]
    [InlineData(131)]
    public void A_pair_is_both_dot_products_bit_for_bit(int n)
    {
        var rng = new Random(n + 7);
        float[] Random() => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] x0 = Random(), y0 = Random(), x1 = Random(), y1 = Random();
        int expected0 = BitConverter.SingleToInt32Bits(ReproducibleDot.Compute(x0, y0, 0));
        int expected1 = BitConverter.SingleToInt32Bits(ReproducibleDot.Compute(x1, y1, 0));
        var (first, second) = ReproducibleDot.ComputePair(x0, y0, x1, y1);
        Assert.Equal(expected0, BitConverter.SingleToInt32Bits(first));
        Assert.Equal(expected1, BitConverter.SingleToInt32Bits(second));
        foreach (int bits in new[] { 256, 128, 0 })
        {
            if ((bits == 256 && !System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) || (bits == 128 && !System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated))
                continue;
            (first, second) = ReproducibleDot.ComputePair(x0, y0, x1, y1, bits);
            Assert.Equal(expected0, BitConverter.SingleToInt32Bits(first));
            Assert.Equal(expected1, BitConverter.SingleToInt32Bits(second));
        }
        if (n > 0)
            Assert.Throws<ArgumentException>(() => ReproducibleDot.ComputePair(x0, y0, x1, y1[1..]));
    }

    [Fact]
    public void Spans_of_different_lengths_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => ReproducibleDot.Compute(new float[3], new float[4]));
        Assert.StartsWith("The spans differ in length.", e.Message);
    }
}
