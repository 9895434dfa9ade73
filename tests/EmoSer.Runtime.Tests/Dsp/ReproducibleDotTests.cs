using EmoSer.Runtime.Dsp;

namespace EmoSer.Runtime.Tests.Dsp;

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
    public void TheVectorPathEqualsTheLaneByLaneScalarArithmeticBitForBit(int n)
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
        double exact = 0;
        for (int k = 0; k < n; k++)
            exact += (double)x[k] * y[k];
        Assert.Equal(exact, actual, 1e-6);
    }

    [Fact]
    public void SpansOfDifferentLengthsAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => ReproducibleDot.Compute(new float[3], new float[4]));
        Assert.StartsWith("The spans differ in length.", e.Message);
    }
}
