using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Tests.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Speakers;
using Result = EmoSer.Runtime.Classifier.Classification;

namespace EmoSer.Runtime.Tests.Classification;

/// <summary>The span core of <see cref="EmotionClassifier"/>: interleaved input, the caller's probabilities buffer, the top index.</summary>
[Trait("Category", "unit")]
public class SpanClassifyTests
{
    private static readonly EmotionClassifier s_classifier = new(ClassifierFixture.Model);

    private static float[] Stereo(int rate, double seconds)
    {
        var left = ClassifierFixture.Voice(rate, seconds, 120, 2);
        var right = ClassifierFixture.Voice(rate, seconds, 190, 3);
        var interleaved = new float[left.Length * 2];
        for (int i = 0; i < left.Length; i++)
        {
            interleaved[2 * i] = left[i];
            interleaved[(2 * i) + 1] = right[i];
        }
        return interleaved;
    }

    [Theory]
    [InlineData(16000)]
    [InlineData(44100)]
    public void SpanCoreGivesTheClipClassificationsProbabilitiesAndTopIndex(int rate)
    {
        float[] interleaved = Stereo(rate, 1.5);
        Result expected = s_classifier.Classify(new AudioClip(interleaved, rate, 2));
        // A longer buffer keeps its tail: only the labels' values are written.
        var probabilities = new float[TestModels.EmoDbLabels.Length + 2];
        probabilities[^1] = 42;
        int top = s_classifier.Classify(interleaved, 2, rate, probabilities);
        Assert.Equal(expected.Probabilities, probabilities[..TestModels.EmoDbLabels.Length]);
        Assert.Equal(42, probabilities[^1]);
        Assert.Equal(expected.TopIndex, top);
        Assert.Equal(expected.Emotion, TestModels.EmoDbLabels[top]);
        Assert.Equal(Array.IndexOf(expected.Probabilities, expected.Probabilities.Max()), top);
    }

    [Fact]
    public void TopIndexStaysTheBestGuessWhenUncertain()
    {
        Result c = s_classifier.Classify(ClassifierFixture.Voice(16000, 1.0, 150, 4), 16000).WithMinConfidence(1);
        Assert.True(c.IsUncertain);
        Assert.Equal(Array.IndexOf(c.Probabilities, c.Confidence), c.TopIndex);
        Assert.True(Result.IsUncertainAt(c.Confidence, 1, c.Labels));
        Assert.False(Result.IsUncertainAt(c.Confidence, 0, c.Labels));
    }

    [Fact]
    public void SpanCoreAllocatesNothingAtTheModelRateAfterWarmUp()
    {
        var classifier = new EmotionClassifier(ClassifierFixture.Model) { ParallelCopies = false };
        float[] interleaved = Stereo(16000, 1.0);
        var probabilities = new float[TestModels.EmoDbLabels.Length];
        classifier.Classify(interleaved, 2, 16000, probabilities);
        Assert.Equal(0, Allocations.Least(() => classifier.Classify(interleaved, 2, 16000, probabilities)));
    }

    [Fact]
    public void BadBuffersAndChannelCountsAreRefusedBeforeAnyWork()
    {
        float[] interleaved = Stereo(16000, 0.5);
        var e = Assert.Throws<ArgumentException>(() => s_classifier.Classify(interleaved, 2, 16000, new float[3]));
        Assert.Contains("holds 3 values", e.Message, StringComparison.Ordinal);
        Assert.Equal("probabilities", e.ParamName);
        var odd = Assert.Throws<ArgumentException>(() => s_classifier.Classify(interleaved.AsSpan(1), 2, 16000, null));
        Assert.Contains("not a whole number of 2-channel frames", odd.Message, StringComparison.Ordinal);
        Assert.Equal("channels", Assert.Throws<ArgumentOutOfRangeException>(() => s_classifier.Classify(interleaved, 0, 16000, null)).ParamName);
        Assert.Equal("channels", Assert.Throws<ArgumentOutOfRangeException>(() => s_classifier.Classify(interleaved, InputLimits.MaxChannels + 1, 16000, null)).ParamName);
    }

    [Fact]
    public void InterleavedEnrollAndExtractMatchTheClipCalls()
    {
        var model = ClassifierFixture.Model;
        float[] interleaved = Stereo(44100, 1.0);
        var clip = new AudioClip(interleaved, 44100, 2);
        UtteranceFeatures fromClip = s_classifier.Extract(clip);
        UtteranceFeatures fromSpan = s_classifier.Extract(interleaved, 2, 44100);
        Assert.Equal(fromClip.Features.ToArray(), fromSpan.Features.ToArray());
        Assert.Equal(fromClip.IsSilent, fromSpan.IsSilent);
        Assert.Equal(fromClip.DurationSeconds, fromSpan.DurationSeconds);
        var a = new SpeakerProfile(EmoSer.Runtime.Features.SeedFeatureExtractor.FeatureCount);
        var b = new SpeakerProfile(EmoSer.Runtime.Features.SeedFeatureExtractor.FeatureCount);
        Assert.True(s_classifier.Enroll(clip, a));
        Assert.True(s_classifier.Enroll(interleaved, 2, 44100, b));
        Assert.Equal(a.Count, b.Count);
        Assert.Equal(a.Mean.ToArray(), b.Mean.ToArray());
        Assert.Equal(model.Labels.Count, s_classifier.Classify(interleaved, 2, 44100, b).Probabilities.Length);
    }
}
