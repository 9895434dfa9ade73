using EmoSer.Runtime.Dsp;

namespace EmoSer.Runtime.Tests.Dsp;

[Trait("Category", "unit")]
public class RealFftTests
{
    public static TheoryData<int, int> SizesAndWidths()
    {
        var data = new TheoryData<int, int>();
        foreach (int n in new[] { 16, 32, 64, 256, 2048, 4096 })
            foreach (int bits in new[] { 0, 128, 256 })
                data.Add(n, bits);
        return data;
    }

    [Theory]
    [MemberData(nameof(SizesAndWidths))]
    public void Forward_matches_a_naive_double_precision_DFT(int n, int vectorBits)
    {
        var x = RandomSignal(n, seed: n + vectorBits);
        var fft = new RealFft(n, vectorBits);
        var re = new float[n / 2 + 1];
        var im = new float[n / 2 + 1];
        fft.Forward(x, re, im);

        double maxErr = 0, scale = 0;
        for (int k = 0; k <= n / 2; k++)
        {
            double sr = 0, si = 0;
            for (int t = 0; t < n; t++)
            {
                double a = -2.0 * Math.PI * ((long)k * t % n) / n;
                sr += x[t] * Math.Cos(a);
                si += x[t] * Math.Sin(a);
            }
            maxErr = Math.Max(maxErr, Math.Max(Math.Abs(sr - re[k]), Math.Abs(si - im[k])));
            scale = Math.Max(scale, Math.Sqrt(sr * sr + si * si));
        }
        Assert.Equal(0f, im[0]);
        Assert.Equal(0f, im[n / 2]);
        // Single precision: error relative to the largest bin stays a few float epsilons times log2(n).
        Assert.True(maxErr / scale < 2e-6, $"n={n} bits={vectorBits}: max error {maxErr:E3} relative to {scale:E3}");
    }

    [Theory]
    [MemberData(nameof(SizesAndWidths))]
    public void Inverse_of_forward_restores_the_signal(int n, int vectorBits)
    {
        var x = RandomSignal(n, seed: 7 * n + vectorBits);
        var fft = new RealFft(n, vectorBits);
        var re = new float[n / 2 + 1];
        var im = new float[n / 2 + 1];
        var back = new float[n];
        fft.Forward(x, re, im);
        fft.Inverse(re, im, back);
        for (int t = 0; t < n; t++)
            Assert.True(Math.Abs(back[t] - x[t]) < 2e-6, $"n={n} sample {t}: {back[t]} vs {x[t]}");
    }

    [Fact]
    public void Inverse_of_a_single_bin_is_a_scaled_cosine()
    {
        const int n = 64;
        var fft = new RealFft(n);
        var re = new float[n / 2 + 1];
        var im = new float[n / 2 + 1];
        re[5] = n / 2f;   // cos(2 pi 5 t / n): bins 5 and n-5 each carry n/2
        var y = new float[n];
        fft.Inverse(re, im, y);
        for (int t = 0; t < n; t++)
            Assert.Equal(Math.Cos(2 * Math.PI * 5 * t / n), y[t], 5);
    }

    [Fact]
    public void A_pure_tone_on_a_bin_lands_in_that_bin_only()
    {
        const int n = 2048;
        var x = new float[n];
        for (int t = 0; t < n; t++)
            x[t] = (float)Math.Sin(2 * Math.PI * 100 * t / n);
        var re = new float[n / 2 + 1];
        var im = new float[n / 2 + 1];
        new RealFft(n).Forward(x, re, im);
        Assert.Equal(-n / 2.0, im[100], 2);
        for (int k = 0; k <= n / 2; k++)
        {
            if (k != 100)
                Assert.True(Math.Abs(re[k]) + Math.Abs(im[k]) < 2e-3, $"bin {k}: {re[k]} {im[k]}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(100)]
    [InlineData(1000)]
    public void Sizes_that_are_not_powers_of_two_of_at_least_16_are_rejected(int n)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new RealFft(n));
        Assert.StartsWith("The FFT size must be a power of two and at least 16.", ex.Message);
    }

    [Fact]
    public void Wrong_span_lengths_are_rejected()
    {
        var fft = new RealFft(32);
        var ex = Assert.Throws<ArgumentException>(() => fft.Forward(new float[31], new float[17], new float[17]));
        Assert.StartsWith("Input has 31 samples; this FFT takes 32.", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => fft.Forward(new float[32], new float[16], new float[17]));
        Assert.StartsWith("Output spans need 17 bins.", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => fft.Inverse(new float[17], new float[17], new float[30]));
        Assert.StartsWith("Output has 30 samples; this FFT produces 32.", ex.Message);
    }

    private static float[] RandomSignal(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++)
            x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
