using EmoSer.Runtime.Audio;

namespace EmoSer.Runtime.Tests.Audio;

[Trait("Category", "unit")]
public sealed class ResamplerTests
{
    private const double Amplitude = 0.5;

    public static TheoryData<int, int> RatePairs() => new()
    {
        { 44100, 16000 }, { 48000, 16000 }, { 22050, 16000 }, { 16000, 48000 }, { 8000, 16000 }, { 16000, 8000 }, { 48000, 44100 }, { 16000, 22050 },
    };

    [Theory]
    [MemberData(nameof(RatePairs))]
    [InlineData(44100, 16001)] // co-prime: kernel rows computed on the fly
    public void Passband_tones_keep_amplitude_within_0_001_dB_and_phase(int from, int to)
    {
        double lowNyquist = Math.Min(from, to) / 2.0;
        int n = from; // 1 s
        var resampler = new Resampler(from, to);
        // Margin: edges see the zero padding; skip a kernel length (in output samples) plus some.
        int margin = (int)((long)resampler.TapCount * to / from) + 64;
        foreach (double fraction in new[] { 0.01, 0.1, 0.3, 0.5, 0.7, 0.85, 0.9 })
        {
            double f = fraction * lowNyquist;
            float[] y = Resampler.Resample(ToneAnalysis.Sine(n, f, from, Amplitude), from, to);
            var (amplitude, residual) = ToneAnalysis.Fit(y, f, to, margin, y.Length - margin);
            double errorDb = Math.Abs(ToneAnalysis.Db(amplitude / Amplitude));
            Assert.True(errorDb <= 0.001, $"{from}->{to}: {f:F0} Hz amplitude error {errorDb:F5} dB");
            // Residual covers phase/delay error, aliasing and imaging: >= 90 dB below the tone (measured >= 98 dB).
            Assert.True(ToneAnalysis.Db(residual / (Amplitude / Math.Sqrt(2))) <= -90, $"{from}->{to}: {f:F0} Hz residual {ToneAnalysis.Db(residual / (Amplitude / Math.Sqrt(2))):F1} dB");
            // Zero group delay: the output equals the tone sampled at the output rate.
            float[] ideal = ToneAnalysis.Sine(y.Length, f, to, Amplitude);
            for (int i = margin; i < y.Length - margin; i++)
                Assert.True(Math.Abs(y[i] - ideal[i]) < 1e-4, $"{from}->{to}: {f:F0} Hz sample {i}: {y[i]} vs {ideal[i]}");
        }
    }

    [Theory]
    [InlineData(44100, 16000)]
    [InlineData(48000, 16000)]
    [InlineData(22050, 16000)]
    [InlineData(16000, 8000)]
    [InlineData(48000, 44100)]
    public void Stopband_tones_are_rejected_by_at_least_85_dB(int from, int to)
    {
        double outNyquist = to / 2.0;
        int n = from;
        var resampler = new Resampler(from, to);
        int margin = (int)((long)resampler.TapCount * to / from) + 64;
        foreach (double fraction in new[] { 1.0, 1.02, 1.1, 1.3, 1.6, 2.0, 2.7 })
        {
            double f = fraction * outNyquist;
            if (f >= from / 2.0)
                continue;
            float[] y = Resampler.Resample(ToneAnalysis.Sine(n, f, from, Amplitude), from, to);
            double rejection = ToneAnalysis.Db(ToneAnalysis.Rms(y, margin, y.Length - margin) / (Amplitude / Math.Sqrt(2)));
            Assert.True(rejection <= -85, $"{from}->{to}: {f:F0} Hz leaks at {rejection:F1} dB");
        }
    }

    [Theory]
    [InlineData(16000, 48000)]
    [InlineData(8000, 44100)]
    public void Upsampling_images_are_rejected_by_at_least_90_dB(int from, int to)
    {
        // A tone near the input Nyquist images to from - f, which must not appear in the output.
        double f = 0.9 * from / 2;
        float[] y = Resampler.Resample(ToneAnalysis.Sine(from, f, from, Amplitude), from, to);
        int margin = 2000;
        var (_, residual) = ToneAnalysis.Fit(y, f, to, margin, y.Length - margin);
        Assert.True(ToneAnalysis.Db(residual / (Amplitude / Math.Sqrt(2))) <= -90);
    }

    [Fact]
    public void Round_trip_16k_48k_16k_reproduces_band_limited_input()
    {
        int n = 16000;
        var x = new float[n];
        foreach (var (f, a) in new[] { (97.0, 0.2), (440.0, 0.2), (1234.5, 0.15), (3000.0, 0.1), (5555.0, 0.1), (7100.0, 0.05) })
        {
            float[] tone = ToneAnalysis.Sine(n, f, 16000, a, phase: f);
            for (int i = 0; i < n; i++)
                x[i] += tone[i];
        }
        float[] up = Resampler.Resample(x, 16000, 48000);
        float[] back = Resampler.Resample(up, 48000, 16000);
        Assert.Equal(n * 3, up.Length);
        Assert.Equal(n, back.Length);
        double maxError = 0;
        for (int i = 300; i < n - 300; i++)
            maxError = Math.Max(maxError, Math.Abs(back[i] - x[i]));
        Assert.True(maxError < 2e-4, $"round-trip max error {maxError}");
    }

    [Theory]
    [InlineData(0, 44100, 16000)]
    [InlineData(1, 44100, 16000)]
    [InlineData(132300, 44100, 16000)]
    [InlineData(12345, 16000, 48000)]
    [InlineData(7, 22050, 16000)]
    [InlineData(1001, 48000, 44100)]
    [InlineData(999, 8000, 16000)]
    [InlineData(5000, 44100, 16001)]
    [InlineData(100, 1000, 1000)]
    public void Output_length_is_ceil_of_n_times_ratio(int n, int from, int to)
    {
        float[] y = Resampler.Resample(new float[n], from, to);
        Assert.Equal((int)(((long)n * to + from - 1) / from), y.Length);
    }

    /// <summary>
    /// A speed-copy converter (what each classifier worker keeps per factor): Process then Flush gives exactly
    /// SpeedChange.Apply's samples, and the same instance, reset, does so again for another clip (Flush resets it).
    /// </summary>
    [Theory]
    [InlineData(0.9)]
    [InlineData(1.1)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void A_reused_speed_copy_converter_gives_the_samples_of_SpeedChange_Apply(double factor)
    {
        var rng = new Random((int)(factor * 100));
        var resampler = SpeedChange.CreateResampler(16000, factor);
        foreach (int n in new[] { 5003, 48000, 17 })
        {
            float[] x = EmoSer.Runtime.Tests.Model.TestModels.Random(rng, n);
            float[] expected = SpeedChange.Apply(x, 16000, factor);
            var output = new float[resampler.MaxOutputLength(n) + resampler.MaxOutputLength(0)];
            int written = resampler.Process(x, output);
            written += resampler.Flush(output.AsSpan(written));
            Assert.Equal(expected.Length, written);
            Assert.Equal(expected, output[..written]);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => SpeedChange.CreateResampler(16000, 2.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => SpeedChange.CreateResampler(0, 0.9));
    }

    [Theory]
    [InlineData(44100, 16000, 1)]
    [InlineData(44100, 16000, 1000)]
    [InlineData(16000, 48000, 333)]
    [InlineData(22050, 16000, 4097)]
    [InlineData(44100, 16001, 777)]
    public void Streaming_in_blocks_matches_the_whole_signal(int from, int to, int block)
    {
        float[] x = ToneAnalysis.Sine(20_000, 1000, from, 0.4);
        var rng = new Random(block);
        for (int i = 0; i < x.Length; i++)
            x[i] += (float)(rng.NextDouble() * 0.1 - 0.05);
        float[] expected = Resampler.Resample(x, from, to);

        var resampler = new Resampler(from, to);
        var output = new List<float>();
        for (int repeat = 0; repeat < 2; repeat++) // Flush resets: a second stream gives the same result
        {
            output.Clear();
            for (int i = 0; i < x.Length; i += block)
            {
                int len = Math.Min(block, x.Length - i);
                var buffer = new float[resampler.MaxOutputLength(len)];
                int written = resampler.Process(x.AsSpan(i, len), buffer);
                output.AddRange(buffer.AsSpan(0, written));
            }
            var tail = new float[resampler.MaxOutputLength(0)];
            output.AddRange(tail.AsSpan(0, resampler.Flush(tail)));
            Assert.Equal(expected.Length, output.Count);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - output[i]) < 1e-6, $"sample {i}: {output[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void Dc_passes_with_unit_gain()
    {
        float[] y = Resampler.Resample(Enumerable.Repeat(0.5f, 44100).ToArray(), 44100, 16000);
        for (int i = 500; i < y.Length - 500; i++)
            Assert.True(Math.Abs(y[i] - 0.5f) < 1e-6, $"sample {i}: {y[i]}");
    }

    [Fact]
    public void Equal_rates_copy_the_input()
    {
        float[] x = [0.1f, 0.2f, 0.3f];
        float[] y = Resampler.Resample(x, 16000, 16000);
        Assert.Equal(x, y);
        Assert.NotSame(x, y);
        var r = new Resampler(8000, 8000);
        var o = new float[r.MaxOutputLength(3)];
        Assert.Equal(3, r.Process(x, o));
        Assert.Equal(0, r.Flush(o));
    }

    [Fact]
    public void Process_rejects_an_output_span_that_may_be_too_short()
    {
        var r = new Resampler(16000, 48000);
        Assert.Throws<ArgumentException>(() => r.Process(new float[100], new float[300]));
        Assert.Throws<ArgumentException>(() => r.Flush(new float[1]));
    }

    [Theory]
    [InlineData(0, 16000)]
    [InlineData(16000, -1)]
    [InlineData(1_000_000, 900)]
    [InlineData(8, 16000)]
    public void Invalid_rates_throw(int from, int to)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Resampler(from, to));
    }

    [Fact]
    public void Process_allocates_nothing()
    {
        var r = new Resampler(44100, 16000);
        float[] input = ToneAnalysis.Sine(4410, 440, 44100);
        var output = new float[r.MaxOutputLength(input.Length)];
        r.Process(input, output);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
            r.Process(input, output);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// The committed example's speed copies and a 44.1 kHz conversion, hashed: the exact bits that the shipped model's
    /// training copies had (Resampler.AlgorithmVersion 2). A change to the resampler that moves any bit must raise
    /// <see cref="Resampler.AlgorithmVersion"/> (the trainer's feature cache key) and update these hashes.
    /// </summary>
    [Theory]
    [InlineData(0.9, 67832, "14176068671495B8B7322284F38F8F87B035786237CCDAA9D7167135BCC3BC5D")]
    [InlineData(1.1, 55499, "3F3B1A74EEC8FA508651F842D6DC28879D99EB7ACC64889A2DD16AC8483BF690")]
    [InlineData(0.0, 168264, "88CCF167E4342414D581D8BBFC371CD3419F43FFB4DDFC0CBA54BA12B40F1263")]
    public void Speed_copies_and_conversions_keep_the_bits_of_algorithm_version_2(double factor, int length, string sha256)
    {
        Assert.Equal(2, Resampler.AlgorithmVersion);
        var clip = WavReader.ReadFile(System.IO.Path.Combine(EmoSer.Tests.Shared.TestData.RepoRoot, "examples", "audio", "sample.wav"));
        // factor 0: the clip converted to 44.1 kHz instead.
        float[] output = factor == 0 ? Resampler.Resample(clip.Interleaved, 16000, 44100) : SpeedChange.Apply(clip.Interleaved, 16000, factor);
        Assert.Equal(length, output.Length);
        byte[] hash = System.Security.Cryptography.SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(output.AsSpan()));
        Assert.Equal(sha256, Convert.ToHexString(hash));
    }
}
