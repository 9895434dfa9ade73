using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Tests.Shared;

namespace EmoSer.Runtime.Tests.Features;

[Trait("Category", "golden")]
public sealed class StreamingFeatureExtractorTests
{
    /// <summary>Speech-like test signal: a gliding harmonic tone with noise and pauses.</summary>
    private static float[] Signal(int sr, double seconds, int seed)
    {
        var rng = new Random(seed);
        var y = new float[(int)(sr * seconds)];
        double phase = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double t = (double)i / sr;
            double f0 = 140 + 60 * Math.Sin(2 * Math.PI * 0.7 * t);
            phase += 2 * Math.PI * f0 / sr;
            double env = Math.Sin(2 * Math.PI * 0.4 * t) > -0.3 ? 1 : 0.01;
            y[i] = (float)(env * (0.3 * Math.Sin(phase) + 0.15 * Math.Sin(2 * phase) + 0.08 * Math.Sin(3 * phase)) + 0.01 * (rng.NextDouble() - 0.5));
        }
        return y;
    }

    [Theory]
    [InlineData(16000, 3.0)]
    [InlineData(22050, 1.5)]
    [InlineData(44100, 2.0)]
    public void Every_window_equals_the_batch_extractor_on_the_same_samples(int sr, double window)
    {
        float[] y = Signal(sr, 7.3, sr);
        var stream = new StreamingFeatureExtractor(sr, window);
        var batch = new SeedFeatureExtractor(sr);
        var rng = new Random(5);
        var streamed = new float[193];
        int pos = 0, checks = 0;
        Assert.False(stream.TryGetFeatures(streamed));
        while (pos < y.Length)
        {
            int n = Math.Min(y.Length - pos, rng.Next(1, 9000));
            stream.Push(y.AsSpan(pos, n));
            pos += n;
            Assert.Equal(pos, stream.SamplesPushed);
            Assert.True(stream.TryGetFeatures(streamed));
            long start = stream.WindowStart, end = stream.WindowEnd;
            Assert.True(end <= pos && pos - end < 512 || end == pos, $"window end {end} vs pushed {pos}");
            Assert.Equal(Math.Min(pos, (int)Math.Round(window * sr)), end - start);
            Assert.Equal(1 + (int)(end - start) / 512, stream.FramesInWindow);
            float[] expected = batch.Extract(y.AsSpan((int)start, (int)(end - start)));
            // Same frames, same arithmetic: bit-identical.
            Assert.Equal(expected, streamed);
            checks++;
        }
        Assert.True(checks > 5);
    }

    [Fact]
    public void Reset_starts_a_new_stream()
    {
        float[] y = Signal(16000, 4, 1);
        var stream = new StreamingFeatureExtractor(16000, 3);
        stream.Push(Signal(16000, 5, 2));
        stream.Reset();
        Assert.Equal(0, stream.SamplesPushed);
        Assert.Equal(0, stream.FramesInWindow);
        stream.Push(y);
        var features = new float[193];
        Assert.True(stream.TryGetFeatures(features));
        Assert.Equal(new SeedFeatureExtractor(16000).Extract(y.AsSpan((int)stream.WindowStart, 48000)), features);
    }

    [Fact]
    public void An_EmoDb_utterance_streamed_in_20ms_chunks_matches_batch()
    {
        string file = TestData.EmoDbFiles()[0];
        var clip = WavReader.ReadFile(file);
        float[] y = clip.ToMono();
        var stream = new StreamingFeatureExtractor(clip.SampleRate, 1.0);
        for (int i = 0; i < y.Length; i += 320)
            stream.Push(y.AsSpan(i, Math.Min(320, y.Length - i)));
        var features = new float[193];
        Assert.True(stream.TryGetFeatures(features));
        var expected = new SeedFeatureExtractor(clip.SampleRate).Extract(y.AsSpan((int)stream.WindowStart, (int)(stream.WindowEnd - stream.WindowStart)));
        Assert.Equal(expected, features);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(601.0)]
    public void Window_lengths_out_of_range_are_rejected(double seconds)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingFeatureExtractor(16000, seconds));
        Assert.StartsWith("The window must be longer than 0 and at most 600 seconds.", ex.Message);
    }

    [Fact]
    public void Low_sample_rates_are_rejected_like_the_batch_extractor()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingFeatureExtractor(8000, 3));
        Assert.StartsWith("Sample rate 8000 Hz is too low for the seed features", ex.Message);
    }
}
