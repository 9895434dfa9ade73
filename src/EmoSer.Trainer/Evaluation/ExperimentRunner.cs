using EmoSer.Runtime.Model;
using System.Diagnostics;
using EmoSer.Trainer.Features;
using EmoSer.Trainer.Reporting;
using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Evaluation;

/// <summary>The outcome of one fold.</summary>
public sealed record FoldResult(
    FoldPlan Plan, Metrics? Metrics, int[] TestActual, int[] TestPredicted,
    IReadOnlyList<IReadOnlyList<EpochStats>> Histories, IReadOnlyList<int> SelectedEpochs, TrainedEnsemble Model)
{
    /// <summary>With speaker normalization: the test metrics when no speaker profile is given (population statistics), as for a lone file at run time.</summary>
    public Metrics? MetricsWithoutProfile { get; init; }

    /// <summary>With test-time speed copies: the test metrics of the utterances alone, without their copies.</summary>
    public Metrics? MetricsSinglePass { get; init; }

    /// <summary>Predictions behind <see cref="MetricsWithoutProfile"/> (empty without speaker normalization).</summary>
    public int[] TestPredictedWithoutProfile { get; init; } = [];

    /// <summary>
    /// For test speakers never seen in training: the test predictions when each speaker's profile holds only
    /// n of its utterances (seeded random choice), per n of <see cref="ExperimentRunner.EnrollmentSizes"/>.
    /// </summary>
    public IReadOnlyDictionary<int, int[]> TestPredictedByEnrollment { get; init; } = new Dictionary<int, int[]>();
}

/// <summary>The outcome of a run: every fold, the pooled test metrics and the wall time.</summary>
public sealed record RunResult(Protocol Protocol, Recipe Recipe, int Seed, IReadOnlyList<FoldResult> Folds, Metrics? Pooled, TimeSpan Wall)
{
    /// <summary>How many folds the protocol has; more than <see cref="Folds"/>.Count in a partial (in-progress) result.</summary>
    public int PlannedFolds { get; init; }

    /// <summary>With speaker normalization: pooled test metrics without speaker profiles (population statistics).</summary>
    public Metrics? PooledWithoutProfile { get; init; }

    /// <summary>With test-time speed copies (<see cref="Recipe.TestTimeSpeeds"/>): pooled test metrics of the utterances alone.</summary>
    public Metrics? PooledSinglePass { get; init; }

    /// <summary>With speaker normalization and unseen test speakers: pooled test metrics per enrollment size.</summary>
    public IReadOnlyDictionary<int, Metrics> PooledByEnrollment { get; init; } = new Dictionary<int, Metrics>();

    /// <summary>True when every planned fold is in <see cref="Folds"/>.</summary>
    public bool Complete => Folds.Count >= PlannedFolds;
}

/// <summary>Runs a protocol: plans the folds, gets the features, trains every fold's networks and evaluates them.</summary>
public static class ExperimentRunner
{
    /// <summary>Profile sizes (utterances) of the enrollment curve reported for unseen test speakers.</summary>
    public static IReadOnlyList<int> EnrollmentSizes { get; } = [1, 3, 5, 10, 20];

    /// <summary>
    /// What a fold classifies: view 0 is the test items themselves (in the seed protocol, augmented copies among them),
    /// view c (1..<paramref name="testCopies"/>) the test-time copy of each at speed factor c, which exists only for an
    /// original utterance. The prediction is the mean of the views' probabilities, as the runtime averages them.
    /// </summary>
    internal static TrainingItem[][] TestViews(FoldPlan plan, int testCopies)
    {
        if (testCopies > 0 && plan.Test.Any(i => i.Copy != 0))
            throw new ArgumentException($"fold {plan.Name} tests augmented copies, which have no test-time copies", nameof(plan));
        var views = new TrainingItem[testCopies + 1][];
        views[0] = plan.Test;
        for (int c = 1; c <= testCopies; c++)
            views[c] = plan.Test.Select(i => new TrainingItem(i.Source, c)).ToArray();
        return views;
    }

    /// <summary>Runs <paramref name="protocol"/> over <paramref name="store"/>'s corpus.</summary>
    public static RunResult Run(FeatureStore store, Protocol protocol, Recipe recipe, int seed, double testSize, int randomState,
        IRunObserver observer, CancellationToken cancel = default, Action<RunResult>? onFold = null)
    {
        var wall = Stopwatch.StartNew();
        var corpus = store.Corpus;
        int classes = corpus.Labels.Count;
        int[] classOf = corpus.ClassIndices();
        var plans = FoldPlan.Build(corpus, protocol, recipe, seed, testSize, randomState);
        // The seed protocol reproduces the seed, which had no speaker normalization.
        bool bySpeaker = recipe.SpeakerNormalization && protocol != Protocol.Seed && corpus.HasSpeakers;
        if (recipe.SpeakerNormalization && protocol != Protocol.Seed && !corpus.HasSpeakers)
            observer.Log($"{corpus.Name}: not every utterance has a speaker, so speaker normalization is off");
        recipe = recipe with { SpeakerNormalization = bySpeaker };
        string? SpeakerOf(TrainingItem i) => corpus.Utterances[i.Source].Speaker;

        // Test-time copies of a test utterance are copies 1..S of the speed augmenter: one per factor. They are only
        // ever classified, never trained on.
        int testCopies = recipe.TestTimeSpeeds ? recipe.SpeedFactors.Count : 0;
        if (testCopies > 0 && (recipe.Augmentation != AugmentationKind.Speed || recipe.Augmentations != testCopies))
            throw new ArgumentException("test-time speed copies need speed augmentation with one copy per factor", nameof(recipe));
        TrainingItem[] TestCopies(FoldPlan p) => TestViews(p, testCopies).Skip(1).SelectMany(v => v).ToArray();

        // Every feature vector first (cache hits are instant), so training never waits on extraction.
        bool refitOnAll = protocol == Protocol.Full && recipe.RefitOnAll;
        var needed = plans.SelectMany(p => p.Train.Concat(p.Monitor).Concat(p.Test).Concat(TestCopies(p)).Concat(refitOnAll ? p.RefitItems(recipe.Augmentations) : []))
            .Distinct().OrderBy(i => i.Copy).ThenBy(i => i.Source).ToArray();
        observer.Log($"{corpus.Name}: {corpus.Utterances.Count} utterances, {classes} labels ({string.Join(", ", corpus.Labels)}), " +
                     $"{corpus.Speakers.Count} speakers; {plans.Count} fold(s); {needed.Length} feature vectors");
        int done = 0;
        Parallel.ForEach(needed, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount), CancellationToken = cancel }, item =>
        {
            store.Get(item);
            observer.Features(Interlocked.Increment(ref done), needed.Length);
        });

        var folds = new List<FoldResult>();
        var pooledActual = new List<int>();
        var pooledPredicted = new List<int>();
        var pooledWithoutProfile = new List<int>();
        var pooledSinglePass = new List<int>();
        var pooledByEnrollment = EnrollmentSizes.ToDictionary(n => n, _ => new List<int>());
        bool enrollmentCurve = true;
        for (int k = 0; k < plans.Count; k++)
        {
            var plan = plans[k];
            // Speaker statistics: training speakers from their training utterances; a speaker never seen in training
            // (held-out speakers, loso's test speaker) from its own utterances' features, without labels.
            var speakers = bySpeaker ? FitSpeakers(plan.Train, store, SpeakerOf, recipe.SpeakerPriorWeight) : null;
            speakers?.AddUnseenSpeakers(plan.Monitor.Select(i => (store.Get(i), SpeakerOf(i)!)));
            speakers?.AddUnseenSpeakers(plan.Test.Select(i => (store.Get(i), SpeakerOf(i)!)));
            float[] Row(TrainingItem i) => speakers is null ? store.Get(i) : speakers.Apply(store.Get(i), SpeakerOf(i));
            var trainRows = plan.Train.Select(Row).ToArray();
            int[] trainY = plan.Train.Select(i => classOf[i.Source]).ToArray();
            var standardizer = recipe.Standardize ? Standardizer.Fit(trainRows) : Standardizer.Identity(store.Source.FeatureCount);
            float[] x = standardizer.TransformFlat(trainRows);
            float[]? monitorX = plan.Monitor.Length > 0 ? standardizer.TransformFlat(plan.Monitor.Select(Row).ToArray()) : null;
            int[]? monitorY = plan.Monitor.Length > 0 ? plan.Monitor.Select(i => classOf[i.Source]).ToArray() : null;

            var members = new List<ModelA>();
            var histories = new List<IReadOnlyList<EpochStats>>();
            var selected = new List<int>();
            for (int m = 0; m < recipe.Members; m++)
            {
                observer.TrainingStarted(plan.Name, m, recipe.Epochs);
                int memberSeed = unchecked(seed * 7919 + k * 1000 + m);
                var net = NetworkTrainer.Train(x, trainY, monitorX, monitorY, store.Source.FeatureCount, classes, recipe,
                    plan.Selection, memberSeed, s => observer.Epoch(plan.Name, m, s), cancel);
                if (refitOnAll && plan.Monitor.Length > 0)
                {
                    // The final model: the epoch count chosen on held-out speakers, then a fresh network (same seed)
                    // trained for that many epochs on every utterance and its copies, so no data is left out of the shipped model.
                    net.Model.Dispose();
                    var all = plan.RefitItems(recipe.Augmentations);
                    if (bySpeaker)
                        speakers = FitSpeakers(all, store, SpeakerOf, recipe.SpeakerPriorWeight);
                    var allRows = all.Select(i => speakers is null ? store.Get(i) : speakers.Apply(store.Get(i), SpeakerOf(i))).ToArray();
                    var allY = all.Select(i => classOf[i.Source]).ToArray();
                    standardizer = recipe.Standardize ? Standardizer.Fit(allRows) : standardizer;
                    var refit = NetworkTrainer.Train(standardizer.TransformFlat(allRows), allY, null, null, store.Source.FeatureCount, classes,
                        recipe with { Epochs = net.SelectedEpoch }, EpochSelection.Last, memberSeed, s => observer.Epoch(plan.Name + "-refit", m, s), cancel);
                    observer.Log($"fold {plan.Name} member {m}: refit on all {all.Length} examples for {net.SelectedEpoch} epochs");
                    net = refit with { SelectedEpoch = net.SelectedEpoch, History = net.History.Concat(refit.History).ToArray() };
                }
                members.Add(net.Model);
                histories.Add(net.History);
                selected.Add(net.SelectedEpoch);
                observer.TrainingFinished(plan.Name, m, net.SelectedEpoch);
            }
            var model = new TrainedEnsemble(standardizer, members, corpus.Labels)
            {
                Speaker = speakers, TestTimeSpeedFactors = testCopies > 0 ? recipe.SpeedFactors : [],
            };
            Metrics? metrics = null, withoutProfile = null, singlePass = null;
            int[] actual = plan.Test.Select(i => classOf[i.Source]).ToArray();
            int[] predicted = [], predictedWithoutProfile = [];
            var views = TestViews(plan, testCopies).Select(v => v.Select(store.Get).ToArray()).ToList();
            int[] PredictViews(Func<float[][], float[]> probabilities) => model.PredictAveraged(views.Select(probabilities).ToArray());
            if (plan.Test.Length > 0)
            {
                var testSpeakerIds = plan.Test.Select(SpeakerOf).ToArray();
                predicted = PredictViews(v => model.Probabilities(v, testSpeakerIds));
                metrics = new Metrics(actual, predicted, classes);
                pooledActual.AddRange(actual);
                pooledPredicted.AddRange(predicted);
                string extra = "";
                if (testCopies > 0)
                {
                    var alone = model.Predict(views[0], testSpeakerIds);
                    singlePass = new Metrics(actual, alone, classes);
                    pooledSinglePass.AddRange(alone);
                    extra = $"; single pass WA {singlePass.WeightedAccuracy:F3} UA {singlePass.UnweightedAccuracy:F3}";
                }
                if (speakers is not null)
                {
                    predictedWithoutProfile = PredictViews(v => model.Probabilities(v));
                    withoutProfile = new Metrics(actual, predictedWithoutProfile, classes);
                    pooledWithoutProfile.AddRange(predictedWithoutProfile);
                    extra += $"; without speaker profiles WA {withoutProfile.WeightedAccuracy:F3} UA {withoutProfile.UnweightedAccuracy:F3}";
                }
                observer.Log($"fold {plan.Name}: WA {metrics.WeightedAccuracy:F3} UA {metrics.UnweightedAccuracy:F3} " +
                             $"(n={actual.Length}, epochs {string.Join("/", selected)}){extra}");
            }
            // The enrollment curve: only when every test speaker is new to the model (loso), so its profile can only
            // come from its own utterances; all of them are still scored.
            var byEnrollment = new Dictionary<int, int[]>();
            var testSpeakers = plan.Test.Select(SpeakerOf).ToArray();
            bool unseen = speakers is not null && plan.Test.Length > 0
                          && !plan.Train.Concat(plan.Monitor).Any(i => testSpeakers.Contains(SpeakerOf(i)));
            enrollmentCurve &= unseen;
            if (unseen)
            {
                var testRows = views[0];
                foreach (int n in EnrollmentSizes)
                {
                    var pred = new int[plan.Test.Length];
                    foreach (var group in Enumerable.Range(0, plan.Test.Length).GroupBy(i => testSpeakers[i]))
                    {
                        var rows = group.ToArray();
                        var chosen = rows.ToArray();
                        new Random(unchecked(seed * 31 + k * 977 + n)).Shuffle(chosen);
                        var profile = new SpeakerProfile(store.Source.FeatureCount);
                        foreach (int i in chosen.Take(n)) profile.Add(testRows[i]);
                        var p = model.PredictAveraged(views.Select(v => model.Probabilities(rows.Select(i => v[i]).ToArray(), profile)).ToArray());
                        for (int j = 0; j < rows.Length; j++) pred[rows[j]] = p[j];
                    }
                    byEnrollment[n] = pred;
                    pooledByEnrollment[n].AddRange(pred);
                }
            }
            folds.Add(new FoldResult(plan, metrics, actual, predicted, histories, selected, model)
            {
                MetricsWithoutProfile = withoutProfile, TestPredictedWithoutProfile = predictedWithoutProfile, MetricsSinglePass = singlePass,
                TestPredictedByEnrollment = byEnrollment,
            });
            if (onFold is not null && k < plans.Count - 1)
            {
                var partial = pooledActual.Count > 0 ? new Metrics(pooledActual, pooledPredicted, classes) : null;
                onFold(new RunResult(protocol, recipe, seed, folds.ToArray(), partial, wall.Elapsed) { PlannedFolds = plans.Count });
            }
        }
        var pooled = pooledActual.Count > 0 ? new Metrics(pooledActual, pooledPredicted, classes) : null;
        var pooledPopulation = pooledWithoutProfile.Count > 0 ? new Metrics(pooledActual, pooledWithoutProfile, classes) : null;
        var pooledAlone = pooledSinglePass.Count > 0 ? new Metrics(pooledActual, pooledSinglePass, classes) : null;
        if (pooledAlone is not null)
            observer.Log($"pooled single pass (no test-time copies): WA {pooledAlone.WeightedAccuracy:F4} UA {pooledAlone.UnweightedAccuracy:F4}");
        if (pooled is not null)
            observer.Log($"pooled: WA {pooled.WeightedAccuracy:F4} UA {pooled.UnweightedAccuracy:F4} macro-F1 {pooled.MacroF1:F4}");
        if (pooledPopulation is not null)
            observer.Log($"pooled without speaker profiles: WA {pooledPopulation.WeightedAccuracy:F4} UA {pooledPopulation.UnweightedAccuracy:F4}");
        var byEnrollmentMetrics = enrollmentCurve && pooledPopulation is not null
            ? pooledByEnrollment.ToDictionary(kv => kv.Key, kv => new Metrics(pooledActual, kv.Value, classes))
            : new Dictionary<int, Metrics>();
        foreach (var (n, m) in byEnrollmentMetrics.OrderBy(kv => kv.Key))
            observer.Log($"pooled with {n}-utterance speaker profiles: WA {m.WeightedAccuracy:F4} UA {m.UnweightedAccuracy:F4}");
        return new RunResult(protocol, recipe, seed, folds, pooled, wall.Elapsed)
        {
            PlannedFolds = plans.Count, PooledWithoutProfile = pooledPopulation, PooledByEnrollment = byEnrollmentMetrics, PooledSinglePass = pooledAlone,
        };
    }

    private static SpeakerStandardizer FitSpeakers(IEnumerable<TrainingItem> items, FeatureStore store, Func<TrainingItem, string?> speakerOf, float priorWeight)
    {
        // Original utterances only: an augmented copy is not another utterance of the speaker.
        var originals = items.Where(i => i.Copy == 0).DistinctBy(i => i.Source).Select(i => (store.Get(i), speakerOf(i)!)).ToArray();
        return SpeakerStandardizer.Fit(originals, priorWeight);
    }
}
