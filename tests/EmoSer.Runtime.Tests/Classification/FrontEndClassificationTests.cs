using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.Classifier;
using EmoSer.Runtime.Speakers;
using EmoSer.Runtime.Streaming;

namespace EmoSer.Runtime.Tests.Classification;

/// <summary>
/// A model with a front end (format version 3): the classifier, the stream, enrollment and extraction all run the
/// clip through it, so a recording's level, silences and offset stop mattering.
/// </summary>
[Trait("Category", "unit")]
public class FrontEndClassificationTests
{
    private static readonly FrontEndSettings Settings = new()
    {
        RemoveDc = true, TrimSilence = true, NormalizeLevel = true, ThresholdDb = 40, FloorDbfs = -70, MarginSeconds = 0.05f,
        TargetDbfs = -20, MaxGainDb = 50, NoiseFloorDb = 45,
    };

    private static readonly Lazy<EmotionModel> s_model = new(() =>
        EmotionModel.FromDefinition(ModelDefinitions.WithFrontEnd(ClassifierFixture.Model.Definition, Settings, 1.5f)));

    private static float[] Pad(float[] x, int lead, int tail, float gain, float dc)
    {
        var y = new float[lead + x.Length + tail];
        for (int i = 0; i < y.Length; i++) y[i] = dc;
        for (int i = 0; i < x.Length; i++) y[lead + i] += x[i] * gain;
        return y;
    }

    private static float MaxDifference(float[] a, float[] b) => a.Zip(b, (p, q) => Math.Abs(p - q)).Max();

    [Fact]
    public void Classifying_is_the_front_end_then_the_features()
    {
        var classifier = new EmotionClassifier(s_model.Value, testTimeSpeedCopies: false);
        float[] voice = ClassifierFixture.Voice(16000, 2.0, 180, seed: 4);
        var processed = new float[voice.Length];
        int length = FrontEnd.Process(voice, 16000, Settings, processed).Length;
        float[] expected = s_model.Value.Predict(new SeedFeatureExtractor(16000).Extract(processed.AsSpan(0, length)));
        Assert.Equal(expected, classifier.Classify(voice, 16000).Probabilities);
    }

    [Fact]
    public void Level_silence_and_offset_no_longer_change_the_answer()
    {
        var withFrontEnd = new EmotionClassifier(s_model.Value);
        var without = new EmotionClassifier(ClassifierFixture.Model);
        float[] voice = ClassifierFixture.Voice(16000, 2.0, 180, seed: 4);
        // The same voice 30 dB quieter, with a second of silence on each side and a DC offset.
        float[] far = Pad(voice, 16000, 16000, 0.0316f, 0.003f);
        float[] near = Pad(voice, 400, 400, 1f, 0f);
        var a = withFrontEnd.Classify(near, 16000);
        var b = withFrontEnd.Classify(far, 16000);
        Assert.True(MaxDifference(a.Probabilities, b.Probabilities) < 0.02, $"front end: {MaxDifference(a.Probabilities, b.Probabilities)}");
        Assert.Equal(a.Emotion, b.Emotion);
        // Without it, the same two recordings are far apart: the test would catch a front end that did nothing.
        Assert.True(MaxDifference(without.Classify(near, 16000).Probabilities, without.Classify(far, 16000).Probabilities) > 0.05);
        // The reported duration is the input's, not the trimmed clip's.
        Assert.Equal(far.Length / 16000.0, b.DurationSeconds);
    }

    [Fact]
    public void Extract_enroll_and_classify_agree_and_a_quiet_voice_is_not_silence()
    {
        var classifier = new EmotionClassifier(s_model.Value);
        // -60 dBFS: the older rule (RMS below -50 dBFS) would call it silent; the front end's floor (-70) does not.
        float[] quiet = Pad(ClassifierFixture.Voice(16000, 1.5, 220, seed: 9), 8000, 8000, 0.004f, 0f);
        var utterance = classifier.Extract(quiet, 16000);
        Assert.False(utterance.IsSilent);
        var profile = new SpeakerProfile(SeedFeatureExtractor.FeatureCount);
        Assert.True(classifier.Enroll(quiet, 16000, profile));
        Assert.True(classifier.Enroll(utterance, profile));
        Assert.Equal(2, profile.Count);
        Assert.Equal(utterance.Features.ToArray().Select(v => (double)v), profile.Mean.ToArray());
        Assert.Equal(classifier.Classify(quiet, 16000).Probabilities, classifier.Classify(utterance, null).Probabilities);
        // Digital silence and a -90 dBFS hiss hold no voice.
        Assert.False(classifier.Enroll(new float[16000], 16000, profile));
        Assert.True(classifier.Extract(Pad(new float[1], 8000, 8000, 0, 3e-5f), 16000).IsSilent);
    }

    [Fact]
    public void Stream_windows_are_classified_as_clips_of_their_own()
    {
        var classifier = new EmotionClassifier(s_model.Value);
        // Voice, a gap of silence, voice at another level.
        float[] audio = [.. ClassifierFixture.Voice(16000, 4.0, 200, seed: 1), .. new float[16000 * 3], .. Pad(ClassifierFixture.Voice(16000, 3.0, 150, seed: 2), 0, 0, 0.1f, 0f)];
        var stream = new EmotionStream(classifier, new EmotionStreamOptions { WindowSeconds = 2, HopSeconds = 1, SilenceDbfs = double.NegativeInfinity });
        stream.Push(audio);
        stream.Complete();
        var results = new List<StreamResult>();
        while (stream.TryRead(out var r)) results.Add(r);
        Assert.Contains(results, r => r.Silence);
        var single = new EmotionClassifier(s_model.Value, testTimeSpeedCopies: false);
        foreach (var r in results)
        {
            int start = (int)Math.Round(r.Start * 16000), end = (int)Math.Round(r.End * 16000);
            var window = audio.AsSpan(start, end - start);
            if (r.Silence)
            {
                // Only windows with no voice at all: the gate is off, the front end decides.
                Assert.True(FrontEnd.IsSilent(window, 16000, Settings));
                continue;
            }
            var expected = single.Classify(window, 16000);
            Assert.True(MaxDifference(expected.Probabilities, r.Probabilities) <= 1e-5, $"window {r.Start}-{r.End}");
        }
    }
}
