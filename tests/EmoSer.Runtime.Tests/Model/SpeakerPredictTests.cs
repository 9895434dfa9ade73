using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Runtime.Tests.Model;

/// <summary><see cref="EmotionModel.Predict(ReadOnlySpan{float}, SpeakerProfile?)"/>: speaker standardization, then the model's.</summary>
[Trait("Category", "unit")]
public class SpeakerPredictTests
{
    private static (EmotionModel Speaker, EmotionModel Plain, SpeakerNormalization Norm) Models()
    {
        var def = TestModels.SmallWithSpeaker(seed: 11, priorWeight: 2.5f);
        return (EmotionModel.FromDefinition(def), EmotionModel.FromDefinition(ModelDefinitions.WithSpeaker(def, null)), def.Speaker!);
    }

    /// <summary>z = (x − m) / s in float, as the runtime's elementwise kernel computes it.</summary>
    private static float[] ByHand(float[] x, float[] m, float[] s) => [.. x.Select((v, i) => (v - m[i]) / s[i])];

    [Fact]
    public void Predict_with_a_profile_equals_two_steps_by_hand()
    {
        var (speaker, plain, norm) = Models();
        var rng = new Random(21);
        var profile = new SpeakerProfile(20);
        for (int u = 0; u < 6; u++)
            profile.Add(TestModels.Random(rng, 20, 2, 0.5));
        var m = new float[20];
        var s = new float[20];
        profile.Resolve(norm.PopulationMean, norm.PopulationStd, norm.PriorWeight, m, s);
        for (int trial = 0; trial < 5; trial++)
        {
            float[] x = TestModels.Random(rng, 20, 2, 0.5);
            float[] expected = plain.Predict(ByHand(x, m, s));
            Assert.Equal(expected, speaker.Predict(x, profile));
            var probabilities = new float[3];
            speaker.Predict(x, probabilities, speaker.CreateWorkspace(), profile);
            Assert.Equal(expected, probabilities);
            // The speaker's statistics matter: the population's give another answer.
            Assert.NotEqual(expected, speaker.Predict(x));
        }
    }

    [Fact]
    public void No_profile_or_an_empty_one_uses_the_population()
    {
        var (speaker, plain, norm) = Models();
        float[] x = TestModels.Random(new Random(4), 20, 2);
        float[] expected = plain.Predict(ByHand(x, norm.PopulationMean, norm.PopulationStd));
        Assert.Equal(expected, speaker.Predict(x));
        Assert.Equal(expected, speaker.Predict(x, null));
        Assert.Equal(expected, speaker.Predict(x, new SpeakerProfile(20)));
    }

    [Fact]
    public void A_model_without_speaker_normalization_ignores_the_profile()
    {
        var (_, plain, _) = Models();
        Assert.Null(plain.SpeakerNormalization);
        var rng = new Random(8);
        var profile = new SpeakerProfile(20);
        profile.Add(TestModels.Random(rng, 20, 5));
        profile.Add(TestModels.Random(rng, 20, 5));
        float[] x = TestModels.Random(rng, 20, 2);
        Assert.Equal(plain.Predict(x), plain.Predict(x, profile));
        // Even one of another length: there is nothing to apply it to.
        Assert.Equal(plain.Predict(x), plain.Predict(x, new SpeakerProfile(7)));
    }

    [Fact]
    public void A_profile_of_another_length_is_rejected()
    {
        var (speaker, _, _) = Models();
        var e = Assert.Throws<ArgumentException>(() => speaker.Predict(new float[20], new SpeakerProfile(19)));
        ErrorAssert.Argument(e, "speaker", "The speaker profile has 19 features, the model takes 20");
    }

    [Fact]
    public void The_model_keeps_its_own_copy_of_the_population_statistics()
    {
        var def = TestModels.SmallWithSpeaker(seed: 3);
        var model = EmotionModel.FromDefinition(def);
        float[] x = TestModels.Random(new Random(1), 20);
        float[] before = model.Predict(x);
        def.Speaker!.PopulationMean[0] += 5;
        def.Speaker.PopulationStd[1] *= 3;
        Assert.Equal(before, model.Predict(x));
    }
}
