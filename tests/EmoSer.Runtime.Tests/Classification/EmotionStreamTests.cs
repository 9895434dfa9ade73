using EmoSer.Runtime.Audio;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Runtime.Tests.Classification;

[Trait("Category", "golden")]
public class EmotionStreamTests
{
    private static readonly EmotionClassifier s_classifier = new(ClassifierFixture.Model);

    private static List<StreamResult> Run(EmotionStream stream, float[] audio, int[] chunkSizes)
    {
        var results = new List<StreamResult>();
        int at = 0, k = 0;
        while (at < audio.Length)
        {
            int n = Math.Min(chunkSizes[k++ % chunkSizes.Length], audio.Length - at);
            stream.Push(audio.AsSpan(at, n));
            at += n;
            while (stream.TryRead(out var r))
                results.Add(r);
        }
        stream.Complete();
        while (stream.TryRead(out var r))
            results.Add(r);
        return results;
    }

    /// <summary>Each non-silent result equals the classifier on the same window of the model-rate audio.</summary>
    private static void AssertMatchesClassifier(IEnumerable<StreamResult> results, float[] modelRateAudio)
    {
        foreach (var r in results.Where(r => !r.Silence))
        {
            int start = (int)Math.Round(r.Start * 16000), end = (int)Math.Round(r.End * 16000);
            var expected = s_classifier.Classify(modelRateAudio.AsSpan(start, end - start), 16000);
            for (int i = 0; i < expected.Probabilities.Length; i++)
                Assert.True(Math.Abs(expected.Probabilities[i] - r.Probabilities[i]) <= 1e-3,
                    $"window {r.Start:F3}-{r.End:F3} s, label {i}: stream {r.Probabilities[i]}, classifier {expected.Probabilities[i]}");
            Assert.Equal(expected.Emotion, r.Emotion);
            Assert.Equal(r.Probabilities.Max(), r.Confidence);
        }
    }

    [Fact]
    public void Silence_is_reported_not_classified()
    {
        var results = Run(new EmotionStream(s_classifier), new float[16000 * 6], [1000]);
        Assert.Equal(4, results.Count); // hops ending at 3, 4, 5 and 6 s
        Assert.All(results, r =>
        {
            Assert.True(r.Silence);
            Assert.Null(r.Emotion);
            Assert.Equal(0f, r.Confidence);
            Assert.Empty(r.Probabilities);
        });
        // Each window ends at its hop (3, 4, 5, 6 s) or up to 511 samples before it (the extractor's 512-sample grid).
        for (int i = 0; i < 4; i++)
        {
            Assert.InRange(results[i].End, 3 + i - (511 / 16000.0), 3 + i + 1e-9);
            Assert.Equal(3.0, results[i].End - results[i].Start, 9);
        }
    }

    [Fact]
    public void Tone_windows_equal_the_classifier_on_the_same_window()
    {
        var audio = ClassifierFixture.Voice(16000, 6.5, 130, 9);
        var results = Run(new EmotionStream(s_classifier), audio, [777, 5000, 31, 16000]);
        // Hops at 3, 4, 5, 6 s, then Complete() classifies the last window ending at 6.5 s.
        Assert.Equal(5, results.Count);
        Assert.All(results, r => Assert.False(r.Silence));
        Assert.All(results, r => Assert.InRange(r.End - r.Start, 2.96, 3.0 + 1e-9));
        Assert.InRange(results[^1].End, 6.46, 6.5);
        AssertMatchesClassifier(results, audio);
    }

    [Fact]
    public void Quiet_parts_are_gated_by_the_threshold()
    {
        var audio = new float[16000 * 8];
        var voice = ClassifierFixture.Voice(16000, 3, 150, 5);
        voice.CopyTo(audio, 0);
        // -60 dBFS noise after 3 s: below the default -50 dBFS gate.
        var rng = new Random(3);
        for (int i = 3 * 16000; i < audio.Length; i++)
            audio[i] = (float)(0.001 * Math.Sqrt(3) * ((rng.NextDouble() * 2) - 1));
        var results = Run(new EmotionStream(s_classifier), audio, [4096]);
        Assert.Equal([false, false, false, true, true, true], results.Select(r => r.Silence));
        // With the gate lowered to -70 dBFS nothing is silence.
        var lowered = Run(new EmotionStream(s_classifier, new EmotionStreamOptions { SilenceDbfs = -70 }), audio, [4096]);
        Assert.All(lowered, r => Assert.False(r.Silence));
    }

    [Fact]
    public void Short_stream_gives_one_partial_window_on_complete()
    {
        var audio = ClassifierFixture.Voice(16000, 1.2, 200, 6);
        var results = Run(new EmotionStream(s_classifier), audio, [500]);
        var r = Assert.Single(results);
        Assert.Equal(0.0, r.Start);
        Assert.Equal(1.2, r.End, 6);
        AssertMatchesClassifier(results, audio);
        Assert.Empty(Run(new EmotionStream(s_classifier), [], [1]));
    }

    [Fact]
    public void Other_input_rates_are_resampled_on_the_fly()
    {
        var audio = ClassifierFixture.Voice(44100, 5.0, 170, 8);
        var results = Run(new EmotionStream(s_classifier, new EmotionStreamOptions { InputSampleRate = 44100 }), audio, [1234, 44100]);
        Assert.Equal(3, results.Count); // hops at 3, 4, 5 s
        // The stream dithers each resampled sample by its absolute index, exactly as the classifier does in one piece.
        var resampled = Resampler.Resample(audio, 44100, 16000);
        ResamplingDither.Apply(resampled, 0);
        AssertMatchesClassifier(results, resampled);
    }

    [Fact]
    public void Concatenated_EmoDb_utterances_match_the_classifier()
    {
        var files = TestData.EmoDbFiles();
        var audio = new List<float>();
        foreach (string f in new[] { files[0], files[100], files[300] })
            audio.AddRange(WavReader.ReadFile(f).ToMono());
        var samples = audio.ToArray();
        var results = Run(new EmotionStream(s_classifier, new EmotionStreamOptions { WindowSeconds = 2, HopSeconds = 0.5 }), samples, [3200, 160, 16000]);
        Assert.Equal(1 + (int)Math.Floor(((samples.Length / 16000.0) - 2) / 0.5) + 1, results.Count);
        AssertMatchesClassifier(results, samples);
    }

    [Fact]
    public void Memory_does_not_grow_with_stream_length()
    {
        var stream = new EmotionStream(s_classifier);
        var second = ClassifierFixture.Voice(16000, 1.0, 140, 2);
        long Minute()
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int s = 0; s < 60; s++)
            {
                stream.Push(second);
                while (stream.TryRead(out _))
                {
                }
            }
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Minute();
        // What is allocated per hop is the result handed out (a 7-float probability array, ~56 bytes) plus runtime
        // bookkeeping (tiered-compilation and OSR rejits under a loaded machine added ~15 KB per minute in CI).
        // A stream that kept its input would allocate >= 64 KB per hop (1 s of float samples); 1 KB per hop
        // separates the two with a wide margin on both sides.
        for (int m = 0; m < 3; m++)
            Assert.InRange(Minute(), 0, 60 * 1024);
    }

    [Fact]
    public void Arguments_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmotionStream(s_classifier, new EmotionStreamOptions { WindowSeconds = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmotionStream(s_classifier, new EmotionStreamOptions { HopSeconds = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmotionStream(s_classifier, new EmotionStreamOptions { SilenceDbfs = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmotionStream(s_classifier, new EmotionStreamOptions { InputSampleRate = 0 }));
        var s = new EmotionStream(s_classifier);
        s.Complete();
        Assert.Equal("The stream is complete; create a new one for more audio.", Assert.Throws<InvalidOperationException>(() => s.Push(new float[10])).Message);
    }
}
