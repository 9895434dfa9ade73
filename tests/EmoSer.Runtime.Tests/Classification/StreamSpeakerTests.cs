using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Speakers;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Runtime.Tests.Classification;

/// <summary><see cref="EmotionStream"/> speaker adaptation: running profile, no look-ahead, fixed profiles, no adaptation.</summary>
[Trait("Category", "golden")]
public class StreamSpeakerTests
{
    private const int F = SeedFeatureExtractor.FeatureCount;
    private const int Rate = 16000;

    /// <summary>Pushes <paramref name="audio"/> one hop at a time; after each push, the profile's statistics (or null).</summary>
    private static List<(StreamResult Result, SpeakerProfile? Before)> Run(EmotionStream stream, float[] audio, int hopSamples)
    {
        var results = new List<(StreamResult, SpeakerProfile?)>();
        SpeakerProfile? Snapshot() => stream.SpeakerProfile is { } p ? SpeakerProfile.FromStatistics(p.Count, p.Mean, p.SumSquaredDeviations) : null;
        SpeakerProfile? before = Snapshot();
        void Drain()
        {
            int n = 0;
            while (stream.TryRead(out var r))
            {
                results.Add((r, before));
                n++;
            }
            Assert.InRange(n, 0, 1); // one hop per push: the snapshot is the profile before this result's window
            before = Snapshot();
        }
        for (int at = 0; at < audio.Length; at += hopSamples)
        {
            stream.Push(audio.AsSpan(at, Math.Min(hopSamples, audio.Length - at)));
            Drain();
        }
        stream.Complete();
        Drain();
        return results;
    }

    private static float[] Concatenate(IEnumerable<string> files) => [.. files.SelectMany(f => WavReader.ReadFile(f).ToMono())];

    private static void AssertClose(float[] expected, float[] actual, string at)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-3, $"{at}, label {i}: stream {actual[i]}, classifier {expected[i]}");
    }

    private static EmoSer.Runtime.Classifier.Classification ClassifyWindow(EmotionClassifier classifier, float[] audio, StreamResult r, SpeakerProfile? profile)
    {
        int start = (int)Math.Round(r.Start * Rate), end = (int)Math.Round(r.End * Rate);
        return classifier.Classify(audio.AsSpan(start, end - start), Rate, profile);
    }

    [Fact]
    public void Adaptation_changes_nothing_for_a_model_without_speaker_normalization()
    {
        var classifier = new EmotionClassifier(ClassifierFixture.Model);
        float[] audio = Concatenate(ClassifierFixture.SpeakerFiles("03")[..4]);
        var profile = new SpeakerProfile(F);
        classifier.Enroll(audio, Rate, profile);
        var adaptive = new EmotionStream(classifier);
        Assert.Null(adaptive.SpeakerProfile);
        Assert.False(adaptive.AdaptsToSpeaker);
        var a = Run(adaptive, audio, Rate);
        var p = Run(new EmotionStream(classifier, new EmotionStreamOptions { Speaker = StreamSpeaker.Population }), audio, Rate);
        var f = Run(new EmotionStream(classifier, new EmotionStreamOptions { Speaker = StreamSpeaker.Fixed(profile) }), audio, Rate);
        Assert.True(a.Count >= 5);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(p[i].Result.Probabilities, a[i].Result.Probabilities);
            Assert.Equal(f[i].Result.Probabilities, a[i].Result.Probabilities);
            Assert.Equal(0, a[i].Result.SpeakerUtterances);
            Assert.Equal(0, f[i].Result.SpeakerUtterances);
        }
        Assert.Equal(1, profile.Count);
    }

    [Fact]
    public void The_running_profile_grows_by_non_overlapping_non_silent_windows()
    {
        TestData.RequireEmoDb();
        var classifier = new EmotionClassifier(ClassifierFixture.SpeakerModel);
        // Speaker 03, not among the population speakers; three seconds of silence in the middle is never added.
        string[] files = ClassifierFixture.SpeakerFiles("03");
        float[] audio = [.. Concatenate(files[..3]), .. new float[3 * Rate], .. Concatenate(files[3..6])];
        var stream = new EmotionStream(classifier, new EmotionStreamOptions { WindowSeconds = 2, HopSeconds = 0.5 });
        Assert.True(stream.AdaptsToSpeaker);
        var results = Run(stream, audio, Rate / 2);
        Assert.Contains(results, r => r.Result.Silence);

        // Replay the rule on the reported windows: a non-silent window is added when it starts at or after the end of the last one added.
        long expected = 0;
        double lastEnd = double.NegativeInfinity;
        foreach (var (r, _) in results)
        {
            Assert.Equal(r.Silence ? 0 : expected, r.SpeakerUtterances);
            if (!r.Silence && r.Start >= lastEnd - 1e-9)
            {
                expected++;
                lastEnd = r.End;
            }
        }
        Assert.Equal(expected, stream.SpeakerProfile!.Count);
        double seconds = audio.Length / (double)Rate;
        Assert.InRange(expected, 3, (long)(seconds / 2));
        Assert.True(expected < results.Count(r => !r.Result.Silence) / 2);
    }

    [Fact]
    public void Each_window_uses_the_profile_as_it_stood_before_it()
    {
        TestData.RequireEmoDb();
        var classifier = new EmotionClassifier(ClassifierFixture.SpeakerModel);
        float[] audio = Concatenate(ClassifierFixture.SpeakerFiles("16")[..4]);
        var adaptive = Run(new EmotionStream(classifier, new EmotionStreamOptions { WindowSeconds = 1, HopSeconds = 1 }), audio, Rate);
        var population = Run(new EmotionStream(classifier, new EmotionStreamOptions { WindowSeconds = 1, HopSeconds = 1, Speaker = StreamSpeaker.Population }), audio, Rate);
        Assert.Equal(population.Count, adaptive.Count);
        // The first non-silent window has nothing before it: the population statistics exactly.
        int first = adaptive.FindIndex(r => !r.Result.Silence);
        Assert.Equal(0, adaptive[first].Result.SpeakerUtterances);
        Assert.Equal(population[first].Result.Probabilities, adaptive[first].Result.Probabilities);
        int compared = 0;
        foreach (var (r, before) in adaptive.Where(x => !x.Result.Silence))
        {
            Assert.Equal(before!.Count, r.SpeakerUtterances);
            AssertClose(ClassifyWindow(classifier, audio, r, before).Probabilities, r.Probabilities, $"window {r.Start:F2}-{r.End:F2} s");
            compared++;
        }
        Assert.True(compared >= 5);
        Assert.Contains(adaptive.Zip(population), x => !x.First.Result.Silence
            && x.First.Result.Probabilities.Zip(x.Second.Result.Probabilities).Any(p => Math.Abs(p.First - p.Second) > 1e-2));
    }

    [Fact]
    public void A_fixed_profile_gives_the_batch_classifiers_results_and_is_not_modified()
    {
        TestData.RequireEmoDb();
        var classifier = new EmotionClassifier(ClassifierFixture.SpeakerModel);
        string[] files = ClassifierFixture.SpeakerFiles("15");
        var profile = new SpeakerProfile(F);
        foreach (string f in files[..6])
            Assert.True(classifier.Enroll(WavReader.ReadFile(f), profile));
        double[] mean = profile.Mean.ToArray();

        float[] audio = Concatenate(files[6..10]);
        var stream = new EmotionStream(classifier, new EmotionStreamOptions { WindowSeconds = 2, HopSeconds = 0.5, Speaker = StreamSpeaker.Fixed(profile) });
        Assert.Same(profile, stream.SpeakerProfile);
        Assert.False(stream.AdaptsToSpeaker);
        var results = Run(stream, audio, Rate / 2);
        Assert.True(results.Count >= 8);
        foreach (var (r, _) in results.Where(x => !x.Result.Silence))
        {
            var expected = ClassifyWindow(classifier, audio, r, profile);
            AssertClose(expected.Probabilities, r.Probabilities, $"window {r.Start:F2}-{r.End:F2} s");
            Assert.Equal(expected.Emotion, r.Emotion);
            Assert.Equal(6, r.SpeakerUtterances);
        }
        Assert.Equal(6, profile.Count);
        Assert.Equal(mean, profile.Mean.ToArray());
    }

    [Fact]
    public void Without_adaptation_the_speaker_model_uses_the_population()
    {
        TestData.RequireEmoDb();
        var classifier = new EmotionClassifier(ClassifierFixture.SpeakerModel);
        float[] audio = Concatenate(ClassifierFixture.SpeakerFiles("14")[..3]);
        var stream = new EmotionStream(classifier, new EmotionStreamOptions { Speaker = StreamSpeaker.Population });
        Assert.Null(stream.SpeakerProfile);
        Assert.False(stream.AdaptsToSpeaker);
        foreach (var (r, _) in Run(stream, audio, Rate).Where(x => !x.Result.Silence))
        {
            AssertClose(ClassifyWindow(classifier, audio, r, null).Probabilities, r.Probabilities, $"window {r.Start:F2} s");
            Assert.Equal(0, r.SpeakerUtterances);
        }
    }

    [Fact]
    public void A_fixed_profile_of_another_length_is_rejected()
    {
        var classifier = new EmotionClassifier(ClassifierFixture.Model);
        Assert.Throws<ArgumentException>(() => new EmotionStream(classifier, new EmotionStreamOptions { Speaker = StreamSpeaker.Fixed(new SpeakerProfile(12)) }));
        Assert.Throws<ArgumentNullException>(() => StreamSpeaker.Fixed(null!));
    }
}
