using EmoSer.Runtime.Model;
using EmoSer.Trainer.Training;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Trainer.Tests.Training;

[Trait("Category", "unit")]
public class SpeakerStandardizerTests
{
    private static (float[] Features, string Speaker)[] Utterances(int perSpeaker, params (string Speaker, float Offset, float Scale)[] speakers)
    {
        var rng = new Random(4);
        return speakers.SelectMany(s => Enumerable.Range(0, perSpeaker).Select(_ =>
            (Enumerable.Range(0, 5).Select(j => s.Offset + s.Scale * (float)(rng.NextDouble() - 0.5) * (j + 1)).ToArray(), s.Speaker))).ToArray();
    }

    [Fact]
    public void Population_is_the_mean_of_speaker_means_and_the_root_mean_speaker_variance()
    {
        var u = Utterances(6, ("a", 0, 1), ("b", 10, 3));
        var s = SpeakerStandardizer.Fit(u, 4);
        for (int j = 0; j < 5; j++)
        {
            var a = u.Where(x => x.Speaker == "a").Select(x => (double)x.Features[j]).ToArray();
            var b = u.Where(x => x.Speaker == "b").Select(x => (double)x.Features[j]).ToArray();
            static double Var(double[] v) => v.Select(x => (x - v.Average()) * (x - v.Average())).Average();
            Assert.Equal((a.Average() + b.Average()) / 2, s.Normalization.PopulationMean[j], 4);
            Assert.Equal(Math.Sqrt((Var(a) + Var(b)) / 2), s.Normalization.PopulationStd[j], 4);
        }
        Assert.Equal(4f, s.Normalization.PriorWeight);
    }

    [Fact]
    public void Test_utterances_of_a_training_speaker_never_enter_its_profile()
    {
        // Holdout: the test part shares speakers with training; their statistics must come from training utterances only.
        var train = Utterances(6, ("a", 0, 1), ("b", 10, 3));
        var s = SpeakerStandardizer.Fit(train, 4);
        var before = s.Profile("a")!.Mean.ToArray();
        long count = s.Profile("a")!.Count;
        var test = Utterances(3, ("a", 100, 1));
        s.AddUnseenSpeakers(test);
        Assert.Equal(count, s.Profile("a")!.Count);
        Assert.Equal(before, s.Profile("a")!.Mean.ToArray());
        // A standardized test row uses the training-only statistics.
        var m = new float[5];
        var sd = new float[5];
        s.Profile("a")!.Resolve(s.Normalization.PopulationMean, s.Normalization.PopulationStd, 4, m, sd);
        var z = s.Apply(test[0].Features, "a");
        for (int j = 0; j < 5; j++)
            Assert.Equal((test[0].Features[j] - m[j]) / sd[j], z[j]);
    }

    [Fact]
    public void An_unseen_speaker_gets_a_profile_from_its_own_utterances_only()
    {
        // Loso: the test speaker's statistics come from its own (unlabelled) utterances.
        var s = SpeakerStandardizer.Fit(Utterances(6, ("a", 0, 1), ("b", 10, 3)), 4);
        Assert.Null(s.Profile("c"));
        var c = Utterances(5, ("c", -40, 2));
        s.AddUnseenSpeakers(c);
        var p = s.Profile("c")!;
        Assert.Equal(5, p.Count);
        for (int j = 0; j < 5; j++)
            Assert.Equal(c.Average(x => (double)x.Features[j]), p.Mean[j], 6);
        // Standardized with its own statistics the speaker's rows sit near 0 (the prior pulls them a little);
        // with the population statistics (no profile) they land far away.
        double own = c.Average(x => s.Apply(x.Features, "c").Average(v => Math.Abs(v)));
        double population = c.Average(x => s.Apply(x.Features, null).Average(v => Math.Abs(v)));
        Assert.True(own < 0.1 * population, $"mean |z| {own} with the speaker's profile, {population} without");
        Assert.Equal(s.Apply(c[0].Features, null), s.Apply(c[0].Features, "nobody"));
    }

    [Fact]
    public void Apply_profile_standardizes_exactly_as_apply_does_for_the_same_statistics()
    {
        var u = Utterances(6, ("a", 0, 1), ("b", 10, 3));
        var s = SpeakerStandardizer.Fit(u, 4);
        float[] x = Utterances(1, ("a", 2, 1))[0].Features;
        Assert.Equal(s.Apply(x, "a"), s.ApplyProfile(x, s.Profile("a")!));
        Assert.Equal(s.Apply(x, null), s.ApplyProfile(x, new SpeakerProfile(5)));
        // An enrollment subset: the runtime's resolved statistics, then (x - m) / s in float32.
        var subset = new SpeakerProfile(5);
        foreach (var (features, _) in u.Where(v => v.Speaker == "b").Take(2))
            subset.Add(features);
        var m = new float[5];
        var sd = new float[5];
        subset.Resolve(s.Normalization.PopulationMean, s.Normalization.PopulationStd, 4, m, sd);
        float[] z = s.ApplyProfile(x, subset);
        for (int j = 0; j < 5; j++)
            Assert.Equal((x[j] - m[j]) / sd[j], z[j]);
        Assert.NotEqual(s.Apply(x, "b"), z);
        Assert.Equal("Every vector must have the profile's 3 values.",
            Assert.Throws<ArgumentException>(() => s.ApplyProfile(x, new SpeakerProfile(3))).Message);
    }
}
