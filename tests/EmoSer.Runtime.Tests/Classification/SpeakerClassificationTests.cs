using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Runtime.Tests.Classification;

/// <summary><see cref="EmotionClassifier"/> with speaker profiles: Classify with a profile, Enroll, silence, allocation.</summary>
[Trait("Category", "golden")]
public class SpeakerClassificationTests
{
    private const int F = SeedFeatureExtractor.FeatureCount;

    private static EmotionClassifier SpeakerClassifier()
    {
        TestData.RequireEmoDb();
        return new EmotionClassifier(ClassifierFixture.SpeakerModel);
    }

    private static SpeakerProfile Enrolled(EmotionClassifier classifier, IEnumerable<string> files)
    {
        var profile = new SpeakerProfile(F);
        foreach (string f in files)
            Assert.True(classifier.Enroll(WavReader.ReadFile(f), profile));
        return profile;
    }

    [Fact]
    public void Classify_with_a_profile_is_features_then_model_with_that_profile()
    {
        var classifier = SpeakerClassifier();
        string[] files = ClassifierFixture.SpeakerFiles("03");
        var profile = Enrolled(classifier, files[..5]);
        Assert.Equal(5, profile.Count);
        float[] mono = WavReader.ReadFile(files[6]).ToMono();
        float[] features = new SeedFeatureExtractor(16000).Extract(mono);
        var withProfile = classifier.Classify(mono, 16000, profile);
        Assert.Equal(ClassifierFixture.SpeakerModel.Predict(features, profile), withProfile.Probabilities);
        Assert.Equal(ClassifierFixture.SpeakerModel.Predict(features), classifier.Classify(mono, 16000).Probabilities);
        Assert.Equal(classifier.Classify(mono, 16000).Probabilities, classifier.Classify(mono, 16000, null).Probabilities);
        Assert.NotEqual(classifier.Classify(mono, 16000).Probabilities, withProfile.Probabilities);
        Assert.Equal(withProfile.Probabilities, classifier.Classify(new AudioClip(mono, 16000, 1), profile).Probabilities);
        var segments = classifier.ClassifySegments(mono, 16000, 1.0, profile);
        var piece = mono.AsSpan(0, (int)Math.Round(segments[0].End * 16000));
        Assert.Equal(classifier.Classify(piece, 16000, profile).Probabilities, segments[0].Classification.Probabilities);
    }

    [Fact]
    public void Enroll_adds_the_features_classify_computes()
    {
        var classifier = SpeakerClassifier();
        string file = ClassifierFixture.SpeakerFiles("14")[3];
        float[] mono = WavReader.ReadFile(file).ToMono();
        var profile = new SpeakerProfile(F);
        Assert.True(classifier.Enroll(mono, 16000, profile));
        var expected = new SpeakerProfile(F);
        expected.Add(new SeedFeatureExtractor(16000).Extract(mono));
        Assert.Equal(expected.Mean.ToArray(), profile.Mean.ToArray());

        // 44.1 kHz stereo: mixed down, resampled and dithered exactly as Classify does.
        float[] up = Resampler.Resample(mono, 16000, 44100);
        float[] stereo = [.. up.SelectMany(v => new[] { v, v * 0.5f })];
        var clip = new AudioClip(stereo, 44100, 2);
        var resampledProfile = new SpeakerProfile(F);
        Assert.True(classifier.Enroll(clip, resampledProfile));
        var viaClassifyPath = new SpeakerProfile(F);
        viaClassifyPath.Add(new SeedFeatureExtractor(16000).Extract(ResamplingDither.Resample(clip.ToMono(), 44100, 16000)));
        Assert.Equal(viaClassifyPath.Mean.ToArray(), resampledProfile.Mean.ToArray());
    }

    [Fact]
    public void One_extraction_classifies_and_enrolls_exactly_as_the_two_steps()
    {
        var classifier = SpeakerClassifier();
        string[] files = ClassifierFixture.SpeakerFiles("03");
        var profile = Enrolled(classifier, files[..3]);
        var twoStep = SpeakerProfile.FromStatistics(profile.Count, profile.Mean, profile.SumSquaredDeviations);
        AudioClip native = WavReader.ReadFile(files[4]);
        // 44.1 kHz stereo takes the mix-down, resampler and dither path.
        float[] up = Resampler.Resample(WavReader.ReadFile(files[5]).ToMono(), 16000, 44100);
        var stereo = new AudioClip([.. up.SelectMany(v => new[] { v, v * 0.5f })], 44100, 2);
        foreach (AudioClip clip in new[] { native, stereo })
        {
            long start = classifier.FeatureExtractions;
            EmoSer.Runtime.Classifier.Classification expected = classifier.Classify(clip, twoStep);
            Assert.True(classifier.Enroll(clip, twoStep));
            Assert.Equal(2, classifier.FeatureExtractions - start);

            start = classifier.FeatureExtractions;
            UtteranceFeatures utterance = classifier.Extract(clip);
            EmoSer.Runtime.Classifier.Classification actual = classifier.Classify(utterance, profile);
            Assert.True(classifier.Enroll(utterance, profile));
            Assert.Equal(1, classifier.FeatureExtractions - start);

            Assert.Equal(expected.Probabilities, actual.Probabilities);
            Assert.Equal((expected.Emotion, expected.Confidence, expected.DurationSeconds), (actual.Emotion, actual.Confidence, actual.DurationSeconds));
            Assert.Equal(clip.DurationSeconds, utterance.DurationSeconds);
            Assert.Equal(twoStep.Count, profile.Count);
            Assert.Equal(twoStep.Mean.ToArray(), profile.Mean.ToArray());
            Assert.Equal(twoStep.SumSquaredDeviations.ToArray(), profile.SumSquaredDeviations.ToArray());
        }
        Assert.Equal(5, profile.Count);
    }

    [Fact]
    public void Extracted_silence_is_classified_but_not_enrolled()
    {
        var classifier = new EmotionClassifier(ClassifierFixture.Model);
        var profile = new SpeakerProfile(F);
        float[] silence = new float[16000];
        UtteranceFeatures utterance = classifier.Extract(silence, 16000);
        Assert.True(utterance.IsSilent);
        Assert.False(classifier.Enroll(utterance, profile));
        Assert.Equal(0, profile.Count);
        Assert.Equal(classifier.Classify(silence, 16000).Probabilities, classifier.Classify(utterance, null).Probabilities);
        UtteranceFeatures voice = classifier.Extract(ClassifierFixture.Voice(16000, 1, 150, 2), 16000);
        Assert.False(voice.IsSilent);
        Assert.True(classifier.Enroll(voice, profile));
        Assert.Equal(voice.Features.ToArray(), profile.Mean.ToArray().Select(v => (float)v).ToArray());
    }

    [Fact]
    public void Extracted_features_are_checked_against_the_model()
    {
        var classifier = new EmotionClassifier(ClassifierFixture.Model);
        var other = new UtteranceFeatures(new float[F], 8000, isSilent: false, 1.0);
        ErrorAssert.Argument(Assert.Throws<ArgumentException>(() => classifier.Classify(other, null)), "utterance", "The features were computed at 8000 Hz; model 'test-model-a' takes features at 16000 Hz");
        Assert.Throws<ArgumentException>(() => classifier.Enroll(other, new SpeakerProfile(F)));
        UtteranceFeatures voice = classifier.Extract(ClassifierFixture.Voice(16000, 1, 150, 2), 16000);
        var wrong = new SpeakerProfile(20);
        ErrorAssert.Argument(Assert.Throws<ArgumentException>(() => classifier.Enroll(voice, wrong)), "profile", "The speaker profile has 20 features; the seed features are 193");
        Assert.Throws<ArgumentException>(() => classifier.Classify(voice, wrong));
        Assert.Throws<ArgumentNullException>(() => classifier.Classify((UtteranceFeatures)null!, null));
        Assert.Throws<ArgumentException>(() => classifier.Extract([], 16000));
        Assert.Throws<ArgumentOutOfRangeException>(() => classifier.Extract(new float[10], 0));
    }

    [Fact]
    public void Silent_clips_are_not_added()
    {
        var classifier = new EmotionClassifier(ClassifierFixture.Model);
        var profile = new SpeakerProfile(F);
        Assert.False(classifier.Enroll(new float[16000], 16000, profile));
        Assert.False(classifier.Enroll(new AudioClip(new float[2 * 44100], 44100, 2), profile));
        // -60 dBFS noise is below the -50 dBFS level; the same noise at -40 dBFS is not.
        var rng = new Random(1);
        float[] noise = [.. Enumerable.Range(0, 16000).Select(_ => (float)(Math.Sqrt(3) * ((rng.NextDouble() * 2) - 1)))];
        Assert.False(classifier.Enroll([.. noise.Select(v => v * 0.001f)], 16000, profile));
        Assert.Equal(0, profile.Count);
        Assert.All(profile.Mean.ToArray(), v => Assert.Equal(0, v));
        Assert.True(classifier.Enroll([.. noise.Select(v => v * 0.01f)], 16000, profile));
        Assert.True(classifier.Enroll(ClassifierFixture.Voice(16000, 1, 150, 2), 16000, profile));
        Assert.Equal(2, profile.Count);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        var classifier = new EmotionClassifier(ClassifierFixture.Model);
        float[] voice = ClassifierFixture.Voice(16000, 1, 150, 2);
        var wrong = new SpeakerProfile(20);
        ErrorAssert.Argument(Assert.Throws<ArgumentException>(() => classifier.Enroll(voice, 16000, wrong)), "profile", "The speaker profile has 20 features; the seed features are 193");
        Assert.Throws<ArgumentException>(() => classifier.Classify(voice, 16000, wrong));
        Assert.Throws<ArgumentException>(() => classifier.Enroll([], 16000, new SpeakerProfile(F)));
        Assert.Throws<ArgumentOutOfRangeException>(() => classifier.Enroll(voice, 0, new SpeakerProfile(F)));
        Assert.Throws<ArgumentNullException>(() => classifier.Enroll(voice, 16000, null!));
        Assert.Equal(0, wrong.Count);
    }

    [Fact]
    public void A_model_without_speaker_normalization_ignores_the_profile()
    {
        var classifier = new EmotionClassifier(ClassifierFixture.Model);
        var profile = new SpeakerProfile(F);
        classifier.Enroll(ClassifierFixture.Voice(16000, 1.5, 100, 4), 16000, profile);
        classifier.Enroll(ClassifierFixture.Voice(16000, 1.5, 300, 5), 16000, profile);
        float[] voice = ClassifierFixture.Voice(16000, 2, 150, 6);
        Assert.Equal(classifier.Classify(voice, 16000).Probabilities, classifier.Classify(voice, 16000, profile).Probabilities);
    }

    [Fact]
    public void A_profile_adds_no_allocation_per_call()
    {
        var classifier = SpeakerClassifier();
        var profile = Enrolled(classifier, ClassifierFixture.SpeakerFiles("15")[..3]);
        float[] voice = ClassifierFixture.Voice(16000, 1, 150, 2);
        long plain = Allocations.Least(runs: 8, action: () => classifier.Classify(voice, 16000));
        Assert.Equal(plain, Allocations.Least(runs: 8, action: () => classifier.Classify(voice, 16000, profile)));
        // Enroll at the model's rate allocates nothing: it returns no Classification.
        var sink = new SpeakerProfile(F);
        Assert.Equal(0, Allocations.Least(runs: 8, action: () => classifier.Enroll(voice, 16000, sink)));
        UtteranceFeatures utterance = classifier.Extract(voice, 16000);
        Assert.Equal(0, Allocations.Least(runs: 8, action: () => classifier.Enroll(utterance, sink)));
        Assert.Equal(plain, Allocations.Least(runs: 8, action: () => classifier.Classify(utterance, profile)));
    }
}
