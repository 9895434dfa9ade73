using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Tests.Shared;

namespace EmoSer.Runtime.Tests.Features;

[Trait("Category", "golden")]
public sealed class EgemapsExtractorTests
{
    [Fact]
    public void Contract_constants_and_names()
    {
        Assert.Equal("opensmile-egemaps-v02", EgemapsExtractor.FeatureSetId);
        Assert.Equal(1, EgemapsExtractor.Version);
        Assert.Equal(88, EgemapsLayout.FunctionalNames.Count);
        Assert.Equal(25, EgemapsLayout.DescriptorNames.Count);
        Assert.Equal(88, EgemapsLayout.FunctionalNames.Distinct().Count());
        Assert.Equal("F0semitoneFrom27.5Hz_sma3nz_amean", EgemapsLayout.FunctionalNames[0]);
        Assert.Equal("equivalentSoundLevel_dBp", EgemapsLayout.FunctionalNames[87]);
        Assert.Equal("F0semitoneFrom27.5Hz_sma3nz", EgemapsLayout.DescriptorNames[EgemapsLayout.F0Descriptor]);
        var config = new EgemapsExtractor(16000).Configuration.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("opensmile-egemaps-v02", config["feature_set"]);
        Assert.Equal("960", config["frame_60ms_samples"]);
        Assert.Equal("160", config["frame_step_samples"]);
    }

    [Theory]
    [InlineData(7999)]
    [InlineData(0)]
    [InlineData(400000)]
    public void Unsupported_rates_are_rejected(int sr)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new EgemapsExtractor(sr));
        Assert.Equal("sampleRate", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EgemapsStream(sr));
    }

    [Fact]
    public void Input_shorter_than_one_analysis_frame_is_an_error_with_the_reason()
    {
        var ex = new EgemapsExtractor(16000);
        var e = Assert.Throws<ArgumentException>(() => ex.Extract(new float[959]));
        Assert.StartsWith("The input has 959 samples, shorter than one 60 ms analysis frame (960 samples at 16000 Hz).", e.Message);
        var stream = new EgemapsStream(16000);
        stream.Push(new float[500]);
        Assert.Throws<InvalidOperationException>(stream.Complete);
        // exactly one frame works
        float[] f = ex.Extract(Noise(960, 1));
        Assert.All(f, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(2, ex.FrameCount(960));
    }

    [Theory]
    [InlineData(1e20f, "sample 1E+20 at frame 500 is beyond ±65536 (96 dB above full scale): the features would overflow")]
    [InlineData(float.NaN, "non-finite sample (NaN) at frame 500")]
    public void A_sample_that_would_overflow_the_functionals_is_refused_not_extracted(float sample, string problem)
    {
        // Before the runtime's limits reached eGeMAPS, 1e20 gave NaN and infinite functionals, printed as a result.
        float[] audio = new float[16000];
        for (int i = 0; i < audio.Length; i++)
            audio[i] = 0.1f * MathF.Sin(2 * MathF.PI * 150 * i / 16000f);
        audio[500] = sample;
        var e = Assert.Throws<ArgumentException>(() => new EgemapsExtractor(16000).Extract(audio));
        Assert.StartsWith(problem, e.Message, StringComparison.Ordinal);
        var stream = new EgemapsStream(16000);
        stream.Push(audio.AsSpan(0, 400));
        e = Assert.Throws<ArgumentException>(() => stream.Push(audio.AsSpan(400)));
        Assert.StartsWith(problem.Replace("frame 500", "frame 100", StringComparison.Ordinal), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Silence_and_noise_have_no_voiced_frame_and_finite_functionals()
    {
        var ex = new EgemapsExtractor(16000);
        foreach (float[] x in new[] { new float[16000], Noise(16000, 0.3f) })
        {
            float[] f = ex.Extract(x);
            Assert.All(f, v => Assert.True(float.IsFinite(v)));
            Assert.All(f.AsSpan(0, 10).ToArray(), v => Assert.Equal(0f, v));   // F0 functionals of no voiced frame
            var d = new float[ex.FrameCount(x.Length) * 25];
            int n = ex.Extract(x, [], d);
            for (int t = 0; t < n; t++)
                Assert.Equal(0f, d[t * 25 + EgemapsLayout.F0Descriptor]);
        }
    }

    [Fact]
    public void A_harmonic_tone_is_voiced_at_its_pitch_at_any_rate()
    {
        foreach (int sr in new[] { 8000, 11025, 16000, 22050, 44100, 48000 })
        {
            float[] x = Harmonic(sr, 220.0, 1.0);
            var ex = new EgemapsExtractor(sr);
            var d = new float[ex.FrameCount(x.Length) * 25];
            float[] f = new float[88];
            int n = ex.Extract(x, f, d);
            Assert.All(f, v => Assert.True(float.IsFinite(v), $"{sr} Hz: non-finite functional"));
            double expected = 12.0 * Math.Log2(220.0 / 27.5);
            int voiced = 0;
            for (int t = 5; t < n - 5; t++)
            {
                float st = d[t * 25 + EgemapsLayout.F0Descriptor];
                if (st > 0) { voiced++; Assert.InRange(st, expected - 0.2, expected + 0.2); }
            }
            Assert.True(voiced > (n - 10) * 0.9, $"{sr} Hz: {voiced} of {n - 10} frames voiced");
        }
    }

    // 11025 Hz: cPitchJitter's step, ceil(110.25) = 111 samples, exceeds the frames' round(110.25) = 110, so the
    // period search restarts at a frame's start behind where it stopped.
    [Theory]
    [InlineData(16000)]
    [InlineData(11025)]
    public void Streaming_in_random_chunks_equals_the_extractor_bit_for_bit(int sampleRate)
    {
        string[] files = TestData.EmoDbFiles();
        var rng = new Random(7);
        foreach (string file in new[] { files[0], files[200], files[400] })
        {
            float[] x = AtRate(WavReader.ReadFile(file).ToMono(), 16000, sampleRate);
            var ex = new EgemapsExtractor(sampleRate);
            var expectedFrames = new float[ex.FrameCount(x.Length) * 25];
            var expected = new float[88];
            int n = ex.Extract(x, expected, expectedFrames);
            Assert.True(expected[0] > 0f, "the file has voiced frames");

            var stream = new EgemapsStream(sampleRate);
            var got = new List<float>();
            var buffer = new float[25 * 7];
            for (int pos = 0; pos < x.Length;)
            {
                int len = Math.Min(x.Length - pos, rng.Next(1, 2000));
                stream.Push(x.AsSpan(pos, len));
                pos += len;
                int k;
                while ((k = stream.ReadFrames(buffer)) > 0)
                    got.AddRange(buffer.AsSpan(0, k * 25).ToArray());
            }
            Assert.True(got.Count / 25 < n, "frames before the end of input must wait for it");
            stream.Complete();
            int m;
            while ((m = stream.ReadFrames(buffer)) > 0)
                got.AddRange(buffer.AsSpan(0, m * 25).ToArray());
            Assert.Equal(expectedFrames, got.ToArray());
            var functionals = new float[88];
            stream.GetFunctionals(functionals);
            Assert.Equal(expected, functionals);
            Assert.Equal((long)n, stream.FramesRead);
        }
    }

    [Fact]
    public void Functionals_need_a_completed_stream()
    {
        var stream = new EgemapsStream(16000);
        stream.Push(Noise(4000, 0.1f));
        Assert.Throws<InvalidOperationException>(() => stream.GetFunctionals(new float[88]));
        stream.Complete();
        Assert.Throws<InvalidOperationException>(() => stream.Push(new float[10]));
        stream.Reset();
        stream.Push(Noise(4000, 0.1f));
        Assert.False(stream.IsCompleted);
    }

    [Fact]
    public void No_allocation_per_call_after_warm_up()
    {
        float[] x = WavReader.ReadFile(TestData.EmoDbFiles()[3]).ToMono();
        var ex = new EgemapsExtractor(16000);
        var f = new float[88];
        var d = new float[ex.FrameCount(x.Length) * 25];
        ex.Extract(x, f, d);
        ex.Extract(x.AsSpan(0, x.Length / 2), f, d);
        long before = GC.GetAllocatedBytesForCurrentThread();
        ex.Extract(x, f, d);
        ex.Extract(x.AsSpan(0, x.Length / 2), f, d);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        var stream = new EgemapsStream(16000);
        var buffer = new float[25 * 64];
        for (int round = 0; round < 2; round++)
        {
            if (round == 1) before = GC.GetAllocatedBytesForCurrentThread();
            stream.Reset();
            for (int pos = 0; pos < x.Length; pos += 320)
            {
                stream.Push(x.AsSpan(pos, Math.Min(320, x.Length - pos)));
                stream.ReadFrames(buffer);
            }
            stream.Complete();
            stream.ReadFrames(buffer);
            stream.GetFunctionals(f);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static float[] AtRate(float[] x, int from, int to)
    {
        if (from == to) return x;
        var resampler = new EmoSer.Runtime.Audio.Resampler(from, to);
        var y = new float[resampler.MaxOutputLength(x.Length) + resampler.MaxOutputLength(0) + 1024];
        int n = resampler.Process(x, y);
        n += resampler.Flush(y.AsSpan(n));
        return y[..n];
    }

    private static float[] Noise(int n, float amplitude)
    {
        var rng = new Random(n);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1) * amplitude;
        return x;
    }

    private static float[] Harmonic(int sr, double f0, double seconds)
    {
        var x = new float[(int)(sr * seconds)];
        for (int i = 0; i < x.Length; i++)
        {
            double t = (double)i / sr, v = 0;
            for (int h = 1; h <= 8; h++)
                if (h * f0 < sr / 2.0) v += Math.Sin(2 * Math.PI * h * f0 * t) / h;
            x[i] = (float)(0.2 * v);
        }
        return x;
    }
}
