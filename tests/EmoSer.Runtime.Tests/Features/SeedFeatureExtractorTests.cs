using EmoSer.Tests.Shared;
using EmoSer.Runtime.Features;

namespace EmoSer.Runtime.Tests.Features;

[Trait("Category", "unit")]
public sealed class SeedFeatureExtractorTests
{
    [Theory]
    [InlineData(12800)]
    [InlineData(8000)]
    [InlineData(0)]
    [InlineData(-16000)]
    public void Sample_rates_up_to_12800_are_rejected_with_the_reason(int sr)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new SeedFeatureExtractor(sr));
        Assert.Equal("sampleRate", ex.ParamName);
        Assert.StartsWith($"Sample rate {sr} Hz is too low for the seed features: spectral contrast's top octave band starts at 6400 Hz, " +
                          "which must lie below Nyquist, so the rate must exceed 12800 Hz (resample first).", ex.Message);
    }

    [Fact]
    public void The_lowest_accepted_rate_works()
    {
        var f = new SeedFeatureExtractor(12801).Extract(Tone(12801, 1.0));
        Assert.All(f, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Contract_constants()
    {
        Assert.Equal(193, SeedFeatureExtractor.FeatureCount);
        Assert.Equal("librosa-seed-193", SeedFeatureExtractor.FeatureSetId);
        Assert.Equal(1, SeedFeatureExtractor.Version);
    }

    [Fact]
    public void A_short_feature_span_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SeedFeatureExtractor(16000).Extract(new float[100], new float[192]));
        Assert.StartsWith("The feature span needs 193 values, got 192.", ex.Message);
    }

    [Fact]
    public void Reuse_gives_the_same_result_and_longer_then_shorter_inputs_do_not_leak_state()
    {
        var ex = new SeedFeatureExtractor(16000);
        float[] a = Tone(16000, 1.2), b = Tone(16000, 3.1, 330);
        float[] first = ex.Extract(a);
        ex.Extract(b);
        Assert.Equal(first, ex.Extract(a));
        Assert.Equal(first, new SeedFeatureExtractor(16000).Extract(a));
    }

    [Fact]
    public void Concurrent_calls_on_one_instance_give_the_sequential_results()
    {
        var ex = new SeedFeatureExtractor(16000);
        float[][] inputs = [Tone(16000, 0.7, 180), Tone(16000, 2.2, 260), Tone(16000, 1.4, 410), Tone(16000, 3.3, 95)];
        float[][] expected = inputs.Select(y => new SeedFeatureExtractor(16000).Extract(y)).ToArray();
        var results = new float[32][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = ex.Extract(inputs[i % inputs.Length]));
        for (int i = 0; i < results.Length; i++)
            Assert.Equal(expected[i % inputs.Length], results[i]);
    }

    [Fact]
    public void Long_inputs_recompute_spectra_instead_of_storing_them_with_the_same_result()
    {
        float[] y = Tone(16000, 3.0, 233);
        var stored = new SeedFeatureExtractor(16000);
        var bounded = new SeedFeatureExtractor(16000) { MaxStoredMagnitudeFrames = 10 };
        var features = new float[193];
        bounded.Extract(y, features);
        Assert.Equal(stored.Extract(y), features);
        // The bounded path allocates nothing after warm-up either.
        bounded.Extract(y, features);
        Assert.Equal(0, Allocations.Least(runs: 3, action: () => bounded.Extract(y, features)));
    }

    [Fact]
    public void No_allocation_per_call_after_warm_up_for_same_or_shorter_input()
    {
        var ex = new SeedFeatureExtractor(16000);
        float[] y = Tone(16000, 3.0);
        var features = new float[193];
        ex.Extract(y, features);   // warm-up: buffers grow to this length, caches fill
        ex.Extract(y, features);
        Assert.Equal(0, Allocations.Least(runs: 3, action: () =>
        {
            ex.Extract(y, features);
            ex.Extract(y.AsSpan(0, 20000), features);
        }));
    }

    [Fact]
    public void Streaming_allocates_nothing_after_construction()
    {
        var stream = new StreamingFeatureExtractor(16000, 3.0);
        float[] y = Tone(16000, 5.0);
        var features = new float[193];
        stream.Push(y.AsSpan(0, 30000));
        stream.TryGetFeatures(features);   // warm-up (JIT, caches)
        int pos = 30000;
        Assert.Equal(0, Allocations.Least(runs: 3, action: () =>
        {
            for (int i = 0; i < 10; i++, pos += 1600)
            {
                stream.Push(y.AsSpan(pos % 48000, 1600));
                stream.TryGetFeatures(features);
            }
        }));
    }

    [Fact]
    public void Silence_gives_finite_features_and_the_amin_floor()
    {
        var f = new SeedFeatureExtractor(16000).Extract(new float[16000]);
        Assert.All(f, v => Assert.True(float.IsFinite(v)));
        // All mel power at amin (-100 dB): MFCC 0 = -100 dB * sqrt(128) (orthonormal DCT of a constant).
        Assert.Equal(-100 * Math.Sqrt(128), f[0], 3);
        Assert.Equal(0f, f[1], 4);
    }

    private static float[] Tone(int sr, double seconds, double hz = 220)
    {
        var y = new float[(int)(sr * seconds)];
        for (int i = 0; i < y.Length; i++)
            y[i] = (float)(0.3 * Math.Sin(2 * Math.PI * hz * i / sr) + 0.1 * Math.Sin(2 * Math.PI * 3.1 * hz * i / sr));
        return y;
    }
}
