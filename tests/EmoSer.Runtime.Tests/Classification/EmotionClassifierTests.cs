using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Tests.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Runtime.Tests.Classification;

[Trait("Category", "unit")]
public class EmotionClassifierTests
{
    private static readonly EmotionClassifier s_classifier = new(ClassifierFixture.Model);

    [Fact]
    public void Classify_is_features_then_model()
    {
        var mono = ClassifierFixture.Voice(16000, 2.0, 140, 1);
        var c = s_classifier.Classify(mono, 16000);
        var expected = ClassifierFixture.Model.Predict(new SeedFeatureExtractor(16000).Extract(mono));
        Assert.Equal(expected, c.Probabilities);
        int top = Array.IndexOf(expected, expected.Max());
        Assert.Equal(TestModels.EmoDbLabels[top], c.Emotion);
        Assert.Equal(expected[top], c.Confidence);
        Assert.Equal(TestModels.EmoDbLabels, c.Labels);
        Assert.Equal(2.0, c.DurationSeconds, 12);
        Assert.InRange(c.Confidence, 0.2f, 0.99f); // not saturated: the comparisons below mean something
    }

    [Fact]
    public void Stereo_and_other_rates_are_mixed_and_resampled()
    {
        var left = ClassifierFixture.Voice(44100, 1.5, 120, 2);
        var right = ClassifierFixture.Voice(44100, 1.5, 180, 3);
        var interleaved = new float[left.Length * 2];
        for (int i = 0; i < left.Length; i++)
        {
            interleaved[2 * i] = left[i];
            interleaved[(2 * i) + 1] = right[i];
        }
        var clip = new AudioClip(interleaved, 44100, 2);
        var c = s_classifier.Classify(clip);
        // The classifier resamples, then adds the 16-bit noise floor of ResamplingDither.
        var resampled = Resampler.Resample(clip.ToMono(), 44100, 16000);
        ResamplingDither.Apply(resampled, 0);
        var expected = s_classifier.Classify(resampled, 16000);
        Assert.Equal(expected.Probabilities, c.Probabilities);
        Assert.Equal(clip.DurationSeconds, c.DurationSeconds, 12);
    }

    [Fact]
    public void Empty_audio_is_rejected()
    {
        ErrorAssert.Argument(Assert.Throws<ArgumentException>(() => s_classifier.Classify([], 16000)), "mono", "The audio is empty");
    }

    [Fact]
    public void Model_of_another_feature_set_is_rejected()
    {
        var d = TestModels.Small();
        var model = EmotionModel.FromDefinition(d);
        var e = Assert.Throws<ModelFormatException>(() => new EmotionClassifier(model));
        Assert.Equal("model definition: model 'test-model' takes 20 x 1 inputs; the seed features are 193 x 1", e.Message);
        var other = new ModelDefinition
        {
            Name = "m", SampleRate = 16000, FeatureSetId = "opensmile-egemaps", ExtractorVersion = 1, InputLength = 193,
            Labels = TestModels.EmoDbLabels, Members = TestModels.ModelA().Members,
        };
        e = Assert.Throws<ModelFormatException>(() => new EmotionClassifier(EmotionModel.FromDefinition(other)));
        Assert.Equal("model definition: model 'm' uses the feature set 'opensmile-egemaps'; this runtime extracts 'librosa-seed-193'", e.Message);
    }

    [Fact]
    public void Concurrent_calls_give_the_sequential_results()
    {
        var inputs = Enumerable.Range(0, 8).Select(i => ClassifierFixture.Voice(16000, 1.0, 100 + (30 * i), i)).ToArray();
        var sequential = inputs.Select(x => s_classifier.Classify(x, 16000).Probabilities).ToArray();
        var parallel = new float[inputs.Length][];
        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = s_classifier.Classify(inputs[i], 16000).Probabilities);
        for (int i = 0; i < inputs.Length; i++)
            Assert.Equal(sequential[i], parallel[i]);
    }

    [Fact]
    public void Segments_cover_the_audio_and_each_is_classified_alone()
    {
        var mono = ClassifierFixture.Voice(16000, 7.3, 150, 4);
        var segments = s_classifier.ClassifySegments(mono, 16000, 2.0);
        Assert.Equal([0.0, 2.0, 4.0, 6.0], segments.Select(s => s.Start));
        Assert.Equal([2.0, 4.0, 6.0, 7.3], segments.Select(s => Math.Round(s.End, 6)));
        foreach (var s in segments)
        {
            var piece = mono.AsSpan((int)Math.Round(s.Start * 16000), (int)Math.Round((s.End - s.Start) * 16000));
            Assert.Equal(s_classifier.Classify(piece, 16000).Probabilities, s.Classification.Probabilities);
        }
        // A remainder under half a segment joins the last segment.
        var merged = s_classifier.ClassifySegments(mono.AsSpan(0, 16000 * 49 / 10), 16000, 2.0);
        Assert.Equal([(0.0, 2.0), (2.0, 4.9)], merged.Select(s => (s.Start, Math.Round(s.End, 6))));
    }
}
