using EmoSer.Tests.Shared;
using EmoSer.Trainer.Corpus;
using EmoSer.Trainer.Evaluation;
using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Tests.Evaluation;

[Trait("Category", "golden")]
public class SplitTests
{
    /// <summary>An Emo-DB-like corpus (no audio needed for planning): 6 speakers × 4 labels × 5 utterances.</summary>
    private static LabelledCorpus Synthetic(int speakers = 6)
    {
        var list = new List<Utterance>();
        string[] labels = ["calm", "joy", "rage", "woe"];
        for (int s = 0; s < speakers; s++)
            foreach (var l in labels)
                for (int i = 0; i < 5; i++)
                    list.Add(new Utterance($"spk{s}/{l}/{i}.wav", $"/nowhere/spk{s}/{l}/{i}.wav", l, $"spk{s}"));
        return new LabelledCorpus("synthetic", "synthetic.csv", list);
    }

    private static readonly Recipe Augmented = new() { Augmentations = 3, Patience = 5, ValidationFraction = 0.2 };

    [Fact]
    public void Loso_never_trains_or_validates_on_the_test_speaker()
    {
        var corpus = Synthetic();
        var plans = FoldPlan.Build(corpus, Protocol.Loso, Augmented, 7, 0.2, 1);
        Assert.Equal(6, plans.Count);
        foreach (var p in plans)
        {
            var testSpeakers = p.Test.Select(i => corpus.Utterances[i.Source].Speaker).ToHashSet();
            Assert.Equal([p.Name], testSpeakers);
            Assert.DoesNotContain(p.Train, i => testSpeakers.Contains(corpus.Utterances[i.Source].Speaker));
            Assert.DoesNotContain(p.Monitor, i => testSpeakers.Contains(corpus.Utterances[i.Source].Speaker));
            // The inner validation holds out whole training speakers, and no augmented copy of them trains.
            var valSpeakers = p.Monitor.Select(i => corpus.Utterances[i.Source].Speaker).ToHashSet();
            Assert.NotEmpty(valSpeakers);
            Assert.DoesNotContain(p.Train, i => valSpeakers.Contains(corpus.Utterances[i.Source].Speaker));
            Assert.Equal(20, p.Test.Length);
            Assert.All(p.Test, i => Assert.Equal(0, i.Copy));
            Assert.Equal(4 * (120 - 20 - p.Monitor.Length), p.Train.Length);
        }
        // Every utterance is tested exactly once.
        Assert.Equal(Enumerable.Range(0, 120), plans.SelectMany(p => p.Test.Select(i => i.Source)).Order());
    }

    [Fact]
    public void Holdout_never_trains_on_a_copy_of_a_test_utterance()
    {
        var corpus = Synthetic();
        var p = Assert.Single(FoldPlan.Build(corpus, Protocol.Holdout, Augmented, 3, 0.2, 1));
        var testSources = p.Test.Select(i => i.Source).ToHashSet();
        Assert.Equal(24, testSources.Count);
        Assert.DoesNotContain(p.Train, i => testSources.Contains(i.Source));
        Assert.DoesNotContain(p.Monitor, i => testSources.Contains(i.Source));
        Assert.Contains(p.Train, i => i.Copy == 3);
        // Stratified: 20% of each label's 30 utterances.
        Assert.All(p.Test.GroupBy(i => corpus.Utterances[i.Source].Label), g => Assert.Equal(6, g.Count()));
        // Train, validation and test partition the corpus.
        var originals = p.Train.Where(i => i.Copy == 0).Select(i => i.Source).Concat(p.Monitor.Select(i => i.Source)).Concat(testSources);
        Assert.Equal(Enumerable.Range(0, 120), originals.Order());
    }

    [Fact]
    public void Seed_protocol_leaks_copies_of_test_utterances_into_training()
    {
        // The seed protocol reproduces the seed's leak on purpose: this documents it.
        var corpus = Synthetic();
        var p = Assert.Single(FoldPlan.Build(corpus, Protocol.Seed, Augmented, 3, 0.2, 1));
        Assert.Equal(480, p.Train.Length + p.Test.Length);
        var testSources = p.Test.Select(i => i.Source).ToHashSet();
        Assert.Contains(p.Train, i => testSources.Contains(i.Source));
        Assert.Equal(EpochSelection.MaxMonitorAccuracy, p.Selection);
        Assert.Same(p.Test, p.Monitor);
    }

    [Fact]
    public void The_seed_protocol_classifies_its_test_copies_themselves_not_their_originals()
    {
        var p = Assert.Single(FoldPlan.Build(Synthetic(), Protocol.Seed, Augmented, 3, 0.2, 1));
        Assert.Contains(p.Test, i => i.Copy != 0);
        var view = Assert.Single(ExperimentRunner.TestViews(p, 0));
        Assert.Equal(p.Test, view);
        var e = Assert.Throws<ArgumentException>(() => ExperimentRunner.TestViews(p, 2));
        Assert.StartsWith("fold seed-split tests augmented copies, which have no test-time copies", e.Message);
    }

    [Fact]
    public void Test_time_views_are_each_test_utterance_then_its_copy_at_each_factor()
    {
        var recipe = new Recipe { Augmentations = 2, Augmentation = AugmentationKind.Speed, SpeedFactors = [0.9, 1.1], TestTimeSpeeds = true, Patience = 0 };
        var p = Assert.Single(FoldPlan.Build(Synthetic(), Protocol.Holdout, recipe, 3, 0.2, 1));
        var views = ExperimentRunner.TestViews(p, 2);
        Assert.Equal(3, views.Length);
        Assert.Equal(p.Test, views[0]);
        for (int c = 1; c <= 2; c++)
            Assert.Equal(p.Test.Select(i => new TrainingItem(i.Source, c)), views[c]);
    }

    [Fact]
    public void The_final_refit_trains_on_every_utterance_with_its_copies()
    {
        var p = Assert.Single(FoldPlan.Build(Synthetic(), Protocol.Full, Augmented, 3, 0.2, 1));
        Assert.NotEmpty(p.Monitor);
        Assert.DoesNotContain(p.Train, i => p.Monitor.Any(v => v.Source == i.Source));
        var refit = p.RefitItems(3);
        var expected = Enumerable.Range(0, 120).SelectMany(s => Enumerable.Range(0, 4).Select(c => new TrainingItem(s, c)));
        Assert.Equal(expected, refit.OrderBy(i => i.Source).ThenBy(i => i.Copy));
    }

    [Fact]
    public void Plans_are_deterministic_in_the_seed()
    {
        var corpus = Synthetic();
        var a = FoldPlan.Build(corpus, Protocol.Holdout, Augmented, 3, 0.2, 1)[0];
        var b = FoldPlan.Build(corpus, Protocol.Holdout, Augmented, 3, 0.2, 1)[0];
        var c = FoldPlan.Build(corpus, Protocol.Holdout, Augmented, 3, 0.2, 2)[0];
        Assert.Equal(a.Test, b.Test);
        Assert.Equal(a.Monitor, b.Monitor);
        Assert.NotEqual(a.Test, c.Test);
    }

    [Fact]
    public void Inner_validation_falls_back_to_utterances_without_speakers()
    {
        var list = Enumerable.Range(0, 40).Select(i => new Utterance($"{i}.wav", $"/x/{i}.wav", i % 2 == 0 ? "a" : "b", null)).ToList();
        var corpus = new LabelledCorpus("nospk", "nospk", list);
        var (fit, val) = Splits.InnerValidation(corpus, Enumerable.Range(0, 40).ToArray(), corpus.ClassIndices(), 0.25, 1);
        Assert.Equal(10, val.Length);
        Assert.Equal(5, val.Count(i => i % 2 == 0));
        Assert.Empty(fit.Intersect(val));
    }

    [Fact]
    public void EmoDb_loso_has_ten_speaker_folds()
    {
        var corpus = CorpusLoader.Load(TestData.RequireEmoDb());
        var plans = FoldPlan.Build(corpus, Protocol.Loso, new Recipe(), 1, 0.2, 1);
        Assert.Equal(["03", "08", "09", "10", "11", "12", "13", "14", "15", "16"], plans.Select(p => p.Name));
        foreach (var p in plans)
            Assert.DoesNotContain(p.Train.Concat(p.Monitor), i => corpus.Utterances[i.Source].Speaker == p.Name);
    }
}
