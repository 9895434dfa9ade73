using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Tests.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.ModelFile;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Runtime.Tests.Classification;

/// <summary>
/// <see cref="EmotionClassifier"/> with a model that has test-time speed factors: the shipped model with factors
/// [0.9, 1.1] added, on the committed example recording (and Emo-DB utterances when the corpus is present).
/// </summary>
[Trait("Category", "golden")]
public class SpeedCopyClassificationTests
{
    private const int F = SeedFeatureExtractor.FeatureCount;
    private static readonly float[] s_factors = [0.9f, 1.1f];
    private static readonly Lazy<ModelDefinition> s_shipped = new(() => ModelFileReader.Read(Path.Combine(TestData.RepoRoot, "weights", "model-a.emow")));
    private static readonly Lazy<EmotionModel> s_plain = new(() => EmotionModel.FromDefinition(ModelDefinitions.WithSpeedFactors(s_shipped.Value)));
    private static readonly Lazy<EmotionModel> s_tta = new(() => EmotionModel.FromDefinition(ModelDefinitions.WithSpeedFactors(s_shipped.Value, s_factors)));

    /// <summary>The shipped network without speed factors.</summary>
    private static EmotionModel Plain => s_plain.Value;

    /// <summary>The same network with speed factors [0.9, 1.1].</summary>
    private static EmotionModel Tta => s_tta.Value;

    /// <summary>examples/audio/sample.wav: 3.8 s of synthetic German speech, 16 kHz mono, committed.</summary>
    private static AudioClip Sample() => WavReader.ReadFile(Path.Combine(TestData.RepoRoot, "examples", "audio", "sample.wav"));

    /// <summary><paramref name="mono"/> at 16 kHz as 44.1 kHz stereo (the mix-down, resampler and dither path).</summary>
    private static AudioClip Stereo44k(float[] mono)
    {
        float[] up = Resampler.Resample(mono, 16000, 44100);
        return new AudioClip([.. up.SelectMany(v => new[] { v, v * 0.5f })], 44100, 2);
    }

    /// <summary>A profile of the sample's first and second halves (the model has speaker normalization).</summary>
    private static SpeakerProfile Profile(EmotionClassifier classifier, float[] mono)
    {
        var profile = new SpeakerProfile(F);
        Assert.True(classifier.Enroll(mono.AsSpan(0, mono.Length / 2), 16000, profile));
        Assert.True(classifier.Enroll(mono.AsSpan(mono.Length / 2), 16000, profile));
        return profile;
    }

    /// <summary>The mean by hand: Model.Predict of the clip and of each SpeedChange copy, summed in float in order, divided by the count.</summary>
    private static float[] MeanByHand(EmotionModel model, float[] mono, SpeakerProfile? profile)
    {
        var extractor = new SeedFeatureExtractor(16000);
        float[] sum = model.Predict(extractor.Extract(mono), profile);
        foreach (float factor in s_factors)
        {
            float[] p = model.Predict(extractor.Extract(SpeedChange.Apply(mono, 16000, factor)), profile);
            for (int j = 0; j < sum.Length; j++)
                sum[j] += p[j];
        }
        for (int j = 0; j < sum.Length; j++)
            sum[j] /= s_factors.Length + 1;
        return sum;
    }

    [Fact]
    public void Classify_is_the_mean_over_the_clip_and_its_speed_copies()
    {
        var classifier = new EmotionClassifier(Tta);
        Assert.True(classifier.UsesTestTimeSpeedCopies);
        Assert.Equal(s_factors, Tta.TestTimeSpeedFactors);
        float[] mono = Sample().Interleaved;
        var profile = Profile(classifier, mono);
        foreach (SpeakerProfile? speaker in new[] { null, profile })
        {
            float[] expected = MeanByHand(Tta, mono, speaker);
            Assert.Equal(expected, classifier.Classify(mono, 16000, speaker).Probabilities);
            Assert.Equal(expected, classifier.Classify(new AudioClip(mono, 16000, 1), speaker).Probabilities);
            // Each segment is a clip of its own, copies included.
            var segments = classifier.ClassifySegments(mono, 16000, 1.0, speaker);
            Assert.True(segments.Count >= 3);
            foreach (var segment in segments)
            {
                float[] piece = mono[(int)Math.Round(segment.Start * 16000)..(int)Math.Round(segment.End * 16000)];
                Assert.Equal(MeanByHand(Tta, piece, speaker), segment.Classification.Probabilities);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(511)]
    [InlineData(1600)]
    public void Short_clips_and_their_copies_are_classified(int samples)
    {
        float[] mono = Sample().Interleaved[8000..(8000 + samples)];
        Assert.Equal(MeanByHand(Tta, mono, null), new EmotionClassifier(Tta).Classify(mono, 16000).Probabilities);
    }

    [Fact]
    public void Extract_then_classify_equals_classify_and_counts_one_extraction()
    {
        var classifier = new EmotionClassifier(Tta);
        AudioClip native = Sample();
        var profile = Profile(classifier, native.Interleaved);
        foreach (AudioClip clip in new[] { native, Stereo44k(native.Interleaved) })
        {
            long start = classifier.FeatureExtractions;
            var expected = classifier.Classify(clip, profile);
            Assert.Equal(1, classifier.FeatureExtractions - start);

            start = classifier.FeatureExtractions;
            UtteranceFeatures utterance = classifier.Extract(clip);
            Assert.Equal(1, classifier.FeatureExtractions - start);
            Assert.Equal(s_factors, utterance.SpeedFactors);
            var actual = classifier.Classify(utterance, profile);
            Assert.Equal(expected.Probabilities, actual.Probabilities);
            Assert.Equal((expected.Emotion, expected.Confidence, expected.DurationSeconds), (actual.Emotion, actual.Confidence, actual.DurationSeconds));
            Assert.Equal(expected.Probabilities, classifier.Classify(utterance, profile).Probabilities);
            Assert.Equal(1, classifier.FeatureExtractions - start);
        }
    }

    /// <summary>
    /// A helper the thread pool starts late or never (a busy pool, a caller that is not a pool thread) does not hold
    /// the call up: the calling thread takes every copy itself and returns, and the late helper finds nothing left,
    /// touches no buffer and extracts nothing. A helper that runs first takes every copy instead. Same bits each way.
    /// </summary>
    [Fact]
    public void Copies_do_not_wait_for_a_helper_that_has_not_started()
    {
        float[] mono = Sample().Interleaved;
        float[] want = new EmotionClassifier(Tta) { ParallelCopies = false }.Classify(mono, 16000).Probabilities.ToArray();

        var late = new List<Action>();
        var never = new EmotionClassifier(Tta) { ParallelCopies = true, StartHelper = late.Add };
        Assert.Equal(want, never.Classify(mono, 16000).Probabilities.ToArray());
        Assert.Equal(2, never.SpeedCopyExtractions);
        Assert.Equal(Math.Min(2, Environment.ProcessorCount - 1), late.Count); // one helper per other core
        foreach (var help in late)
            help(); // after the call: its buffers are back in the pool and must not be read
        Assert.Equal(2, never.SpeedCopyExtractions);
        Assert.Equal(want, never.Classify(mono, 16000).Probabilities.ToArray());

        int helped = 0;
        var first = new EmotionClassifier(Tta) { ParallelCopies = true };
        first.StartHelper = help => { help(); helped = (int)first.SpeedCopyExtractions; };
        Assert.Equal(want, first.Classify(mono, 16000).Probabilities.ToArray());
        // The helper (where there is another core to have one) ran before the clip was extracted and took both copies.
        Assert.Equal(Environment.ProcessorCount > 1 ? 2 : 0, helped);
        Assert.Equal(2, first.SpeedCopyExtractions);
    }

    /// <summary>
    /// Copies extracted on other threads beside the clip give the same bits as one after the other, also when many
    /// calls share the classifier at once (each copy rents its own worker).
    /// </summary>
    [Fact]
    public void Copies_extracted_in_parallel_equal_copies_extracted_in_turn()
    {
        float[] mono = Sample().Interleaved;
        var sequential = new EmotionClassifier(Tta) { ParallelCopies = false };
        var parallel = new EmotionClassifier(Tta) { ParallelCopies = true };
        var expected = sequential.Extract(mono, 16000);
        var actual = parallel.Extract(mono, 16000);
        Assert.Equal(expected.Features.ToArray(), actual.Features.ToArray());
        Assert.Equal(2, actual.CopyFeatures.Length);
        for (int i = 0; i < 2; i++)
            Assert.Equal(expected.CopyFeatures[i], actual.CopyFeatures[i]);
        Assert.NotEqual(actual.Features.ToArray(), actual.CopyFeatures[0]);

        float[] want = sequential.Classify(mono, 16000).Probabilities.ToArray();
        Assert.Equal(MeanByHand(Tta, mono, null), want);
        var results = new float[16][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            // Different lengths per call, so that a copy written into the wrong call's buffer would show.
            float[] clip = i % 2 == 0 ? mono : mono[..(mono.Length * 3 / 4)];
            results[i] = parallel.Classify(clip, 16000).Probabilities.ToArray();
        });
        float[] wantShort = sequential.Classify(mono[..(mono.Length * 3 / 4)], 16000).Probabilities.ToArray();
        Assert.NotEqual(want, wantShort);
        for (int i = 0; i < results.Length; i++)
            Assert.Equal(i % 2 == 0 ? want : wantShort, results[i]);
        Assert.Equal(1 + results.Length, parallel.FeatureExtractions);
        Assert.Equal(2 * (1 + results.Length), parallel.SpeedCopyExtractions);
        // The copies live in pooled buffers and each worker keeps its converters: with copies made in turn, a
        // classification allocates what a single pass does (the result), however long the clip.
        var singlePass = new EmotionClassifier(Tta, testTimeSpeedCopies: false);
        long resultOnly = Allocations.Least(() => singlePass.Classify(mono, 16000));
        Assert.InRange(resultOnly, 1, 1024);
        Assert.Equal(resultOnly, Allocations.Least(() => sequential.Classify(mono, 16000)));
    }

    [Fact]
    public void Enroll_uses_only_the_clip_never_its_copies()
    {
        var tta = new EmotionClassifier(Tta);
        var plain = new EmotionClassifier(Plain);
        AudioClip native = Sample();
        AudioClip[] clips = [native, Stereo44k(native.Interleaved), new AudioClip(native.Interleaved[..(native.Interleaved.Length / 3)], 16000, 1)];
        var fromTta = new SpeakerProfile(F);
        var fromExtracted = new SpeakerProfile(F);
        var fromPlain = new SpeakerProfile(F);
        foreach (AudioClip clip in clips)
        {
            Assert.True(tta.Enroll(clip, fromTta));
            Assert.True(tta.Enroll(tta.Extract(clip), fromExtracted));
            Assert.True(plain.Enroll(clip, fromPlain));
        }
        foreach (var profile in new[] { fromTta, fromExtracted })
        {
            Assert.Equal(fromPlain.Count, profile.Count);
            Assert.Equal(fromPlain.Mean.ToArray(), profile.Mean.ToArray());
            Assert.Equal(fromPlain.SumSquaredDeviations.ToArray(), profile.SumSquaredDeviations.ToArray());
        }

        // Enrolling at the model's rate makes no copy and allocates nothing; classifying makes one copy per factor.
        float[] mono = native.Interleaved;
        var sink = new SpeakerProfile(F);
        long copies = tta.SpeedCopyExtractions;
        Assert.Equal(0, Allocations.Least(() => tta.Enroll(mono, 16000, sink)));
        Assert.Equal(copies, tta.SpeedCopyExtractions);
        tta.Classify(mono, 16000);
        Assert.Equal(copies + s_factors.Length, tta.SpeedCopyExtractions);
    }

    [Fact]
    public void Single_pass_equals_the_model_without_factors()
    {
        var single = new EmotionClassifier(Tta, testTimeSpeedCopies: false);
        var plain = new EmotionClassifier(Plain);
        var copies = new EmotionClassifier(Tta);
        Assert.False(single.UsesTestTimeSpeedCopies);
        Assert.False(plain.UsesTestTimeSpeedCopies);
        Assert.False(new EmotionClassifier(Plain, testTimeSpeedCopies: true).UsesTestTimeSpeedCopies);
        Assert.True(copies.UsesTestTimeSpeedCopies);
        Assert.Equal(s_factors, copies.SpeedFactors);
        Assert.Empty(single.SpeedFactors);
        Assert.Empty(plain.SpeedFactors);
        AudioClip native = Sample();
        var profile = Profile(plain, native.Interleaved);
        foreach (AudioClip clip in new[] { native, Stereo44k(native.Interleaved) })
        {
            float[] expected = plain.Classify(clip, profile).Probabilities;
            Assert.Equal(expected, single.Classify(clip, profile).Probabilities);
            UtteranceFeatures utterance = single.Extract(clip);
            Assert.Empty(utterance.SpeedFactors);
            Assert.Equal(expected, single.Classify(utterance, profile).Probabilities);
            // A single-pass classifier ignores the copies of features extracted with them.
            Assert.Equal(expected, single.Classify(copies.Extract(clip), profile).Probabilities);
            Assert.Equal(
                plain.ClassifySegments(native.Interleaved, 16000, 1.5, profile).Select(s => s.Classification.Probabilities),
                single.ClassifySegments(native.Interleaved, 16000, 1.5, profile).Select(s => s.Classification.Probabilities));
            // A classifier with copies cannot classify features extracted without them.
            var e = Assert.Throws<ArgumentException>(() => copies.Classify(utterance, profile));
            ErrorAssert.Argument(e, "utterance", $"The features hold speed copies at []; this classifier of model '{Tta.Name}' classifies copies at [0.9, 1.1]. Extract them with this classifier");
        }
    }

    [Fact]
    public void The_copies_change_the_result_of_real_speech()
    {
        var copies = new EmotionClassifier(Tta);
        var single = new EmotionClassifier(Tta, testTimeSpeedCopies: false);
        float[] sample = Sample().Interleaved;
        float[] withCopies = copies.Classify(sample, 16000).Probabilities;
        float[] singlePass = single.Classify(sample, 16000).Probabilities;
        Assert.NotEqual(singlePass, withCopies);
        Assert.True(withCopies.Zip(singlePass).Max(p => Math.Abs(p.First - p.Second)) > 1e-4, "the copies barely moved the probabilities");
        Assert.InRange(withCopies.Sum(), 1 - 1e-5, 1 + 1e-5);
        if (!TestData.HasEmoDb)
            return;
        foreach (string file in TestData.EmoDbFiles().Take(3))
        {
            AudioClip clip = WavReader.ReadFile(file);
            Assert.Equal(MeanByHand(Tta, clip.ToMono(), null), copies.Classify(clip).Probabilities);
            Assert.NotEqual(single.Classify(clip).Probabilities, copies.Classify(clip).Probabilities);
        }
    }
}
