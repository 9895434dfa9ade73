using EmoSer.Runtime.Features.Egemaps;

namespace EmoSer.Runtime.Tests.Features;

/// <summary>The eGeMAPS vector paths against their scalar references (bit for bit where the order is kept).</summary>
public sealed class EgemapsVectorPathTests
{
    [Theory]
    [InlineData(16000)]
    [InlineData(44100)]
    [InlineData(8000)]
    public void Formant_resampler_lanes_equal_the_scalar_reference(int sampleRate)
    {
        var p = new EgemapsParameters(sampleRate);
        var fa = new FormantAnalyzer(p);
        var rng = new Random(sampleRate);
        float[] re = Random(rng, p.ShortBins, 30f), im = Random(rng, p.ShortBins, 30f);
        int kh = fa.BinsSummed, stride = fa.Stride;
        float[] scalar = new float[stride], v256 = new float[stride], v128 = new float[stride];
        scalar.AsSpan().Fill(re[0]);
        v256.AsSpan().Fill(re[0]);
        v128.AsSpan().Fill(re[0]);
        fa.ResampleScalar(re, im, scalar, kh, stride);
        fa.ResampleVector256(re, im, v256, kh, stride);
        fa.ResampleVector128(re, im, v128, kh, stride);
        Assert.Equal(scalar, v256);
        Assert.Equal(scalar, v128);
    }

    [Theory]
    [InlineData(220)]
    [InlineData(352)]
    [InlineData(13)]
    public void Autocorrelation_lanes_equal_the_scalar_reference(int n)
    {
        var rng = new Random(n);
        float[] x = Random(rng, n, 1000f);
        float[] scalar = new float[12], v256 = new float[12], v128 = new float[12];
        FormantAnalyzer.AutoCorrelateScalar(x, scalar);
        FormantAnalyzer.AutoCorrelateVector256(x, v256, new float[n + 16]);
        FormantAnalyzer.AutoCorrelateVector128(x, v128, new float[n + 16]);
        Assert.Equal(scalar, v256);
        Assert.Equal(scalar, v128);
    }

    [Fact]
    public void Jitter_cross_correlation_vector_path_is_within_double_rounding_of_the_scalar_one()
    {
        var rng = new Random(7);
        for (int n = 8; n < 400; n += 37)
        {
            float[] x = Random(rng, n, 1f), y = Random(rng, n, 1f);
            double v = PeriodPerturbation.CrossCorr(x, y), s = PeriodPerturbation.CrossCorr(x, y, vector: false);
            Assert.True(Math.Abs(v - s) <= 1e-13, $"n={n}: {v} vs {s}");
        }
    }

    private static float[] Random(Random rng, int n, float scale)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++)
            a[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return a;
    }
}
