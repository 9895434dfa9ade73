using EmoSer.Trainer.Corpus;
using EmoSer.Trainer.Evaluation;
using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Tests.Evaluation;

/// <summary>Leave one corpus out, corpus-balanced loss weights and temperature scaling.</summary>
[Trait("Category", "unit")]
public class LocoTests
{
    private static LabelledCorpus Corpus(params (string Corpus, string Label, string Speaker, int Count)[] groups)
    {
        var list = new List<Utterance>();
        foreach (var (corpus, label, speaker, count) in groups)
            for (int i = 0; i < count; i++)
                list.Add(new Utterance($"{corpus}:{speaker}/{label}/{i}.wav", "/nowhere.wav", label, $"{corpus}/{speaker}") { Corpus = corpus });
        return new LabelledCorpus("synthetic", "synthetic", list);
    }

    [Fact]
    public void Each_fold_trains_on_the_other_corpora_over_the_labels_they_share()
    {
        var c = Corpus(("emo", "angry", "a", 3), ("emo", "boredom", "a", 2), ("emo", "sad", "b", 3),
                       ("rav", "angry", "x", 2), ("rav", "calm", "x", 4), ("rav", "sad", "y", 2), ("rav", "surprise", "y", 1));
        var folds = Splits.LeaveOneCorpusOut(c);
        Assert.Equal(["emo", "rav"], folds.Select(f => f.Name));
        int[] classOf = c.ClassIndices();
        foreach (var f in folds)
        {
            Assert.Equal(["angry", "sad"], f.Classes!.Select(k => c.Labels[k]));
            Assert.All(f.Test, i => Assert.Equal(f.Name, c.Utterances[i].Corpus));
            Assert.All(f.Train, i => Assert.NotEqual(f.Name, c.Utterances[i].Corpus));
            Assert.All(f.Train.Concat(f.Test), i => Assert.Contains(classOf[i], f.Classes!));
        }
        Assert.Equal(6, folds[0].Test.Length);
        Assert.Equal(4, folds[0].Train.Length);

        // The labels left out still describe their speakers: the plan keeps them for the profiles only.
        var plans = FoldPlan.Build(c, Protocol.Loco, new Recipe { Patience = 0 }, 1, 0.2, 1);
        Assert.Equal(2 + 5, plans[0].ProfileOnly.Length);
        Assert.Empty(plans[0].ProfileOnly.Select(i => i.Source).Intersect(plans[0].Train.Concat(plans[0].Test).Select(i => i.Source)));
    }

    [Fact]
    public void Loco_needs_two_corpora_and_two_shared_labels()
    {
        var one = Corpus(("emo", "angry", "a", 2), ("emo", "sad", "b", 2));
        Assert.EndsWith("the loco protocol needs at least 2 corpora (give --data more than once, or a manifest 'corpus' column), found 1",
            Assert.Throws<CorpusException>(() => Splits.LeaveOneCorpusOut(one)).Message);
        var disjoint = Corpus(("emo", "angry", "a", 2), ("emo", "sad", "b", 2), ("rav", "angry", "x", 2), ("rav", "calm", "y", 2));
        Assert.EndsWith("corpus 'emo' shares only the label 'angry' with the others; leaving it out needs at least 2 shared labels",
            Assert.Throws<CorpusException>(() => Splits.LeaveOneCorpusOut(disjoint)).Message);
    }

    [Fact]
    public void Inner_splits_hold_out_speakers_of_every_corpus()
    {
        var c = Corpus(("emo", "angry", "a", 2), ("emo", "angry", "b", 2), ("emo", "angry", "c", 2), ("emo", "sad", "d", 2), ("emo", "sad", "e", 2),
                       ("rav", "angry", "x", 2), ("rav", "sad", "y", 2), ("rav", "sad", "z", 2));
        var all = Enumerable.Range(0, c.Utterances.Count).ToArray();
        var (fit, val) = Splits.InnerValidation(c, all, c.ClassIndices(), 0.2, seed: 3);
        var held = val.Select(i => c.Utterances[i].Corpus).Distinct().Order().ToArray();
        Assert.Equal(["emo", "rav"], held);
        Assert.Empty(fit.Select(i => c.Utterances[i].Speaker).Intersect(val.Select(i => c.Utterances[i].Speaker)));
    }

    [Fact]
    public void Corpus_balanced_weights_give_every_corpus_and_every_class_within_it_the_same_weight()
    {
        int[] y = [0, 0, 0, 1, 0, 1, 1, 1, 1, 1];
        string[] g = ["a", "a", "a", "a", "b", "b", "b", "b", "b", "b"];
        float[] w = NetworkTrainer.GroupBalancedWeights(y, g, byClass: true);
        double Sum(Func<int, bool> pick) => Enumerable.Range(0, y.Length).Where(pick).Sum(i => (double)w[i]);
        Assert.Equal(Sum(i => g[i] == "a"), Sum(i => g[i] == "b"), 5);
        Assert.Equal(Sum(i => g[i] == "a" && y[i] == 0), Sum(i => g[i] == "a" && y[i] == 1), 5);
        Assert.Equal(y.Length, Sum(_ => true), 4);
        float[] byCorpus = NetworkTrainer.GroupBalancedWeights(y, g, byClass: false);
        Assert.Equal(4 * byCorpus[0], 6 * byCorpus[9], 4);
    }

    [Fact]
    public void Temperature_scaling_recovers_the_temperature_that_made_the_labels()
    {
        // Labels drawn from softmax(z / 2.5): the fitted temperature is close to 2.5.
        var rng = new Random(4);
        int n = 4000, k = 3;
        var z = new float[n * k];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < k; c++) z[i * k + c] = (float)(rng.NextDouble() * 12 - 6);
            double[] p = Enumerable.Range(0, k).Select(c => Math.Exp(z[i * k + c] / 2.5)).ToArray();
            double u = rng.NextDouble() * p.Sum();
            y[i] = u < p[0] ? 0 : u < p[0] + p[1] ? 1 : 2;
        }
        Assert.InRange(Calibration.FitTemperature([z], y, k), 2.3, 2.7);
        // Two identical views count as one.
        Assert.InRange(Calibration.FitTemperature([z, z], y, k), 2.3, 2.7);
        Assert.Equal(1f, Calibration.FitTemperature([], [], k));
    }

    [Fact]
    public void Expected_calibration_error_is_the_weighted_gap_between_confidence_and_accuracy()
    {
        // Two bins: 0.95 confident and right half the time (gap 0.45), 0.55 confident and always right (gap 0.45).
        float[] confidence = [0.95f, 0.95f, 0.55f, 0.55f];
        bool[] correct = [true, false, true, true];
        Assert.Equal(0.45, Calibration.ExpectedCalibrationError(confidence, correct), 6);
        Assert.Equal(0, Calibration.ExpectedCalibrationError([0.5f, 0.5f], [true, false]), 6);
    }
}
