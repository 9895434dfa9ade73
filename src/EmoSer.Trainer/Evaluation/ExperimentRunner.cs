using EmoSer.Runtime.Model;
using System.Diagnostics;
using EmoSer.Trainer.Corpus;
using EmoSer.Trainer.Features;
using EmoSer.Trainer.Reporting;
using EmoSer.Trainer.Training;
using EmoSer.Runtime.Speakers;
using EmoSer.Runtime.Classifier;

namespace EmoSer.Trainer.Evaluation;

/// <summary>
/// What a fold's model said about its test utterances under one condition (with speaker profiles, without them, in a
/// single pass): each item's probabilities over the run's labels (0 for a label the fold's model does not output).
/// </summary>
/// <param name="Actual">True class of each test item.</param>
/// <param name="Probabilities">Per item, one probability per label of the run.</param>
public sealed record ScoredItems(int[] Actual, float[][] Probabilities)
{
    /// <summary>The arg-max class of each item.</summary>
    public int[] Predicted => Probabilities.Select(p => Classification.IndexOfTop(p)).ToArray();

    /// <summary>The top probability of each item.</summary>
    public float[] Confidence => Probabilities.Select(p => p.Max()).ToArray();

    /// <summary>Metrics (with the calibration error) over <paramref name="classes"/> labels.</summary>
    public Metrics Metrics(int classes) => new(Actual, Predicted, classes, Confidence);

    /// <summary>
    /// The items whose true label is in <paramref name="subset"/>, each predicted as the most probable label of the
    /// subset (its probabilities renormalized over the subset): how a model with more outputs scores on fewer classes.
    /// </summary>
    public ScoredItems Restrict(IReadOnlyCollection<int> subset)
    {
        var keep = Enumerable.Range(0, Actual.Length).Where(i => subset.Contains(Actual[i])).ToArray();
        return new ScoredItems(keep.Select(i => Actual[i]).ToArray(), keep.Select(i =>
        {
            var p = new float[Probabilities[i].Length];
            float sum = 0;
            foreach (int c in subset) sum += Probabilities[i][c];
            foreach (int c in subset) p[c] = sum > 0 ? Probabilities[i][c] / sum : 1f / subset.Count;
            return p;
        }).ToArray());
    }

    /// <summary>The items at <paramref name="indices"/>.</summary>
    public ScoredItems Select(IReadOnlyList<int> indices) =>
        new(indices.Select(i => Actual[i]).ToArray(), indices.Select(i => Probabilities[i]).ToArray());

    /// <summary>Concatenates scored items (pooling folds).</summary>
    public static ScoredItems Concat(IEnumerable<ScoredItems> parts)
    {
        var list = parts.ToList();
        return new ScoredItems(list.SelectMany(p => p.Actual).ToArray(), list.SelectMany(p => p.Probabilities).ToArray());
    }
}

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

    /// <summary>The test items as the exported model scores them (speaker profiles when the model has speaker normalization, calibrated).</summary>
    public ScoredItems? Scored { get; init; }

    /// <summary>The same without speaker profiles (null without speaker normalization).</summary>
    public ScoredItems? ScoredWithoutProfile { get; init; }

    /// <summary>The same in a single pass (null without test-time speed copies).</summary>
    public ScoredItems? ScoredSinglePass { get; init; }

    /// <summary>The same as <see cref="Scored"/> before temperature scaling (null without calibration).</summary>
    public ScoredItems? ScoredUncalibrated { get; init; }

    /// <summary>The fold's temperature (1 without calibration).</summary>
    public float Temperature { get; init; } = 1;

    /// <summary>With calibration: how many held-out utterances the temperature was fitted on.</summary>
    public int CalibrationUtterances { get; init; }
}

/// <summary>Per-corpus test figures of a run (loco, or loso and holdout over several corpora).</summary>
/// <param name="Corpus">The corpus name.</param>
/// <param name="Labels">The class indices its test items were scored over (the labels it shares with training).</param>
/// <param name="Profile">All its test items, as the exported model scores them.</param>
/// <param name="WithoutProfile">Without speaker profiles, or null.</param>
/// <param name="SinglePass">In a single pass, or null.</param>
/// <param name="Uncalibrated">Before temperature scaling, or null.</param>
public sealed record CorpusResult(string Corpus, int[] Labels, ScoredItems Profile, ScoredItems? WithoutProfile, ScoredItems? SinglePass, ScoredItems? Uncalibrated);

/// <summary>The outcome of a run: every fold, the pooled test metrics and the wall time.</summary>
public sealed record RunResult(Protocol Protocol, Recipe Recipe, int Seed, IReadOnlyList<FoldResult> Folds, Metrics? Pooled, TimeSpan Wall)
{
    /// <summary>How many folds the protocol has; more than <see cref="Folds"/>.Count in a partial (in-progress) result.</summary>
    public int PlannedFolds { get; init; }

    /// <summary>With speaker normalization: pooled test metrics without speaker profiles (population statistics).</summary>
    public Metrics? PooledWithoutProfile { get; init; }

    /// <summary>With test-time speed copies (<see cref="Recipe.TestTimeSpeeds"/>): pooled test metrics of the utterances alone.</summary>
    public Metrics? PooledSinglePass { get; init; }

    /// <summary>With calibration: pooled test metrics before temperature scaling (the same predictions, other confidences).</summary>
    public Metrics? PooledUncalibrated { get; init; }

    /// <summary>With speaker normalization and unseen test speakers: pooled test metrics per enrollment size.</summary>
    public IReadOnlyDictionary<int, Metrics> PooledByEnrollment { get; init; } = new Dictionary<int, Metrics>();

    /// <summary>Per-corpus figures, in corpus order (one entry per corpus with test items).</summary>
    public IReadOnlyList<CorpusResult> ByCorpus { get; init; } = [];

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
    internal static TrainingItem[][] TestViews(FoldPlan plan, int testCopies) => Views(plan.Test, testCopies, plan.Name);

    private static TrainingItem[][] Views(TrainingItem[] items, int testCopies, string fold)
    {
        if (testCopies > 0 && items.Any(i => i.Copy != 0))
            throw new ArgumentException($"fold {fold} tests augmented copies, which have no test-time copies", nameof(items));
        var views = new TrainingItem[testCopies + 1][];
        views[0] = items;
        for (int c = 1; c <= testCopies; c++)
            views[c] = items.Select(i => new TrainingItem(i.Source, c)).ToArray();
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
        // The seed protocol reproduces the seed, which had no speaker normalization (and no calibration).
        bool bySpeaker = recipe.SpeakerNormalization && protocol != Protocol.Seed && corpus.HasSpeakers;
        if (recipe.SpeakerNormalization && protocol != Protocol.Seed && !corpus.HasSpeakers)
            observer.Log($"{corpus.Name}: not every utterance has a speaker, so speaker normalization is off");
        recipe = recipe with { SpeakerNormalization = bySpeaker, Calibration = recipe.Calibration && protocol != Protocol.Seed };
        var plans = FoldPlan.Build(corpus, protocol, recipe, seed, testSize, randomState);
        string? SpeakerOf(TrainingItem i) => corpus.Utterances[i.Source].Speaker;
        bool balanceCorpora = recipe.CorpusBalance && corpus.Corpora.Count > 1;

        // Test-time copies of a test utterance are copies 1..S of the speed augmenter: one per factor. They are only
        // ever classified, never trained on.
        int testCopies = recipe.TestTimeSpeeds ? recipe.SpeedFactors.Count : 0;
        if (testCopies > 0 && (recipe.Augmentation != AugmentationKind.Speed || recipe.Augmentations != testCopies))
            throw new ArgumentException("test-time speed copies need speed augmentation with one copy per factor", nameof(recipe));
        TrainingItem[] TestCopies(FoldPlan p) => TestViews(p, testCopies).Skip(1).SelectMany(v => v).ToArray();

        // Every feature vector first (cache hits are instant), so training never waits on extraction.
        bool refitOnAll = protocol == Protocol.Full && recipe.RefitOnAll;
        var needed = plans.SelectMany(p => p.Train.Concat(p.Monitor).Concat(p.Test).Concat(TestCopies(p)).Concat(p.ProfileOnly).Concat(refitOnAll ? p.RefitItems(recipe.Augmentations) : []))
            .Distinct().OrderBy(i => i.Copy).ThenBy(i => i.Source).ToArray();
        observer.Log($"{corpus.Name}: {corpus.Utterances.Count} utterances, {classes} labels ({string.Join(", ", corpus.Labels)}), " +
                     $"{corpus.Speakers.Count} speakers{(corpus.Corpora.Count > 1 ? $", {corpus.Corpora.Count} corpora ({string.Join(", ", corpus.Corpora)})" : "")}; " +
                     $"{plans.Count} fold(s); {needed.Length} feature vectors");
        int done = 0;
        Parallel.ForEach(needed, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount), CancellationToken = cancel }, item =>
        {
            store.Get(item);
            observer.Features(Interlocked.Increment(ref done), needed.Length);
        });

        var folds = new List<FoldResult>();
        var pooledByEnrollment = EnrollmentSizes.ToDictionary(n => n, _ => new List<int>());
        bool enrollmentCurve = true;
        for (int k = 0; k < plans.Count; k++)
        {
            var plan = plans[k];
            int[] foldClasses = plan.Classes ?? Enumerable.Range(0, classes).ToArray();
            var localOf = new int[classes];
            Array.Fill(localOf, -1);
            for (int c = 0; c < foldClasses.Length; c++) localOf[foldClasses[c]] = c;
            var foldLabels = foldClasses.Select(c => corpus.Labels[c]).ToArray();
            var trainer = new FoldTrainer(store, recipe, foldClasses.Length, localOf, classOf, SpeakerOf, balanceCorpora, observer, cancel);

            // Speaker statistics: training speakers from their training utterances; a speaker never seen in training
            // (held-out speakers, loso's test speaker) from its own utterances' features, without labels.
            // Utterances left out only for their label describe their speakers too (ProfileOnly).
            var trainSpeakers = plan.Train.Select(SpeakerOf).ToHashSet();
            var speakers = bySpeaker ? FitSpeakers(plan.Train.Concat(plan.ProfileOnly.Where(i => trainSpeakers.Contains(SpeakerOf(i)))), store, SpeakerOf, recipe.SpeakerPriorWeight) : null;
            speakers?.AddUnseenSpeakers(plan.Monitor.Select(i => (store.Get(i), SpeakerOf(i)!)));
            speakers?.AddUnseenSpeakers(plan.Test.Concat(plan.ProfileOnly).Select(i => (store.Get(i), SpeakerOf(i)!)));
            var standardizer = trainer.FitStandardizer(plan.Train, speakers);

            var members = new List<ModelA>();
            var histories = new List<IReadOnlyList<EpochStats>>();
            var selected = new List<int>();
            for (int m = 0; m < recipe.Members; m++)
            {
                observer.TrainingStarted(plan.Name, m, recipe.Epochs);
                int memberSeed = unchecked(seed * 7919 + k * 1000 + m);
                var net = trainer.Train(plan.Train, plan.Monitor, speakers, standardizer, recipe, plan.Selection, memberSeed, plan.Name, m);
                if (refitOnAll && plan.Monitor.Length > 0)
                {
                    // The final model: the epoch count chosen on held-out speakers, then a fresh network (same seed)
                    // trained for that many epochs on every utterance and its copies, so no data is left out of the shipped model.
                    net.Model.Dispose();
                    var all = plan.RefitItems(recipe.Augmentations);
                    if (bySpeaker)
                        speakers = FitSpeakers(all, store, SpeakerOf, recipe.SpeakerPriorWeight);
                    standardizer = recipe.Standardize ? trainer.FitStandardizer(all, speakers) : standardizer;
                    var refit = trainer.Train(all, [], speakers, standardizer, recipe with { Epochs = net.SelectedEpoch }, EpochSelection.Last, memberSeed, plan.Name + "-refit", m);
                    observer.Log($"fold {plan.Name} member {m}: refit on all {all.Length} examples for {net.SelectedEpoch} epochs");
                    net = refit with { SelectedEpoch = net.SelectedEpoch, History = net.History.Concat(refit.History).ToArray() };
                }
                members.Add(net.Model);
                histories.Add(net.History);
                selected.Add(net.SelectedEpoch);
                observer.TrainingFinished(plan.Name, m, net.SelectedEpoch);
            }

            // Temperature scaling, fitted on voices the fold's networks never heard and its test never holds: a
            // calibration network trained as the fold's networks (same epochs) without the held-out speakers.
            float temperature = 1;
            if (recipe.Calibration && plan.CalibrationHeld.Length > 0)
            {
                temperature = trainer.FitTemperature(plan, recipe with { Epochs = (int)Math.Round(selected.Average()) },
                    unchecked(seed * 7919 + k * 1000 + 999), testCopies, bySpeaker);
                observer.Log($"fold {plan.Name}: temperature {temperature:F3} fitted on {plan.CalibrationHeld.Length} held-out utterances of {plan.CalibrationHeld.Select(SpeakerOf).Distinct().Count()} speakers");
            }
            var model = new TrainedEnsemble(standardizer, members, foldLabels)
            {
                Speaker = speakers, TestTimeSpeedFactors = testCopies > 0 ? recipe.SpeedFactors : [], Temperature = temperature,
            };
            var uncalibrated = new TrainedEnsemble(standardizer, members, foldLabels) { Speaker = speakers };

            Metrics? metrics = null, withoutProfileMetrics = null, singlePassMetrics = null;
            ScoredItems? scored = null, withoutProfile = null, singlePass = null, scoredUncalibrated = null;
            int[] actual = plan.Test.Select(i => classOf[i.Source]).ToArray();
            int[] predicted = [], predictedWithoutProfile = [];
            var views = TestViews(plan, testCopies).Select(v => v.Select(store.Get).ToArray()).ToList();
            float[][] Expand(float[] local) => Enumerable.Range(0, local.Length / foldClasses.Length).Select(i =>
            {
                var p = new float[classes];
                for (int c = 0; c < foldClasses.Length; c++) p[foldClasses[c]] = local[i * foldClasses.Length + c];
                return p;
            }).ToArray();
            ScoredItems Score(TrainedEnsemble e, bool profiles, bool copies) =>
                new(actual, Expand(TrainedEnsemble.Average((copies ? views : views.Take(1)).Select(v =>
                    profiles ? e.Probabilities(v, plan.Test.Select(SpeakerOf).ToArray()) : e.Probabilities(v)).ToArray())));
            if (plan.Test.Length > 0)
            {
                scored = Score(model, true, true);
                metrics = scored.Metrics(classes);
                predicted = scored.Predicted;
                string extra = "";
                if (testCopies > 0)
                {
                    singlePass = Score(model, true, false);
                    singlePassMetrics = singlePass.Metrics(classes);
                    extra = $"; single pass WA {singlePassMetrics.WeightedAccuracy:F3} UA {singlePassMetrics.UnweightedAccuracy:F3}";
                }
                if (speakers is not null)
                {
                    withoutProfile = Score(model, false, true);
                    withoutProfileMetrics = withoutProfile.Metrics(classes);
                    predictedWithoutProfile = withoutProfile.Predicted;
                    extra += $"; without speaker profiles WA {withoutProfileMetrics.WeightedAccuracy:F3} UA {withoutProfileMetrics.UnweightedAccuracy:F3}";
                }
                if (temperature != 1)
                    scoredUncalibrated = Score(uncalibrated, true, true);
                extra += $"; ECE {metrics.ExpectedCalibrationError:F3}" + (scoredUncalibrated is null ? "" : $" (uncalibrated {scoredUncalibrated.Metrics(classes).ExpectedCalibrationError:F3})");
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
                        for (int j = 0; j < rows.Length; j++) pred[rows[j]] = foldClasses[p[j]];
                    }
                    byEnrollment[n] = pred;
                    pooledByEnrollment[n].AddRange(pred);
                }
            }
            folds.Add(new FoldResult(plan, metrics, actual, predicted, histories, selected, model)
            {
                MetricsWithoutProfile = withoutProfileMetrics, TestPredictedWithoutProfile = predictedWithoutProfile, MetricsSinglePass = singlePassMetrics,
                TestPredictedByEnrollment = byEnrollment, Scored = scored, ScoredWithoutProfile = withoutProfile, ScoredSinglePass = singlePass,
                ScoredUncalibrated = scoredUncalibrated, Temperature = temperature, CalibrationUtterances = plan.CalibrationHeld.Length,
            });
            if (onFold is not null && k < plans.Count - 1)
            {
                var sofar = folds.Where(f => f.Scored is not null).ToList();
                var partial = sofar.Count > 0 ? ScoredItems.Concat(sofar.Select(f => f.Scored!)).Metrics(classes) : null;
                onFold(new RunResult(protocol, recipe, seed, folds.ToArray(), partial, wall.Elapsed) { PlannedFolds = plans.Count });
            }
        }

        var tested = folds.Where(f => f.Scored is not null).ToList();
        Metrics? Pool(Func<FoldResult, ScoredItems?> pick) =>
            tested.Count > 0 && tested.All(f => pick(f) is not null) ? ScoredItems.Concat(tested.Select(f => pick(f)!)).Metrics(classes) : null;
        var pooled = Pool(f => f.Scored);
        var pooledPopulation = Pool(f => f.ScoredWithoutProfile);
        var pooledAlone = Pool(f => f.ScoredSinglePass);
        var pooledUncalibrated = Pool(f => f.ScoredUncalibrated);
        if (pooledAlone is not null)
            observer.Log($"pooled single pass (no test-time copies): WA {pooledAlone.WeightedAccuracy:F4} UA {pooledAlone.UnweightedAccuracy:F4}");
        if (pooled is not null)
            observer.Log($"pooled: WA {pooled.WeightedAccuracy:F4} UA {pooled.UnweightedAccuracy:F4} macro-F1 {pooled.MacroF1:F4} ECE {pooled.ExpectedCalibrationError:F4}" +
                         (pooledUncalibrated is null ? "" : $" (uncalibrated {pooledUncalibrated.ExpectedCalibrationError:F4})"));
        if (pooledPopulation is not null)
            observer.Log($"pooled without speaker profiles: WA {pooledPopulation.WeightedAccuracy:F4} UA {pooledPopulation.UnweightedAccuracy:F4}");
        var pooledActual = tested.SelectMany(f => f.TestActual).ToArray();
        var byEnrollmentMetrics = enrollmentCurve && pooledPopulation is not null
            ? pooledByEnrollment.ToDictionary(kv => kv.Key, kv => new Metrics(pooledActual, kv.Value, classes))
            : new Dictionary<int, Metrics>();
        foreach (var (n, m) in byEnrollmentMetrics.OrderBy(kv => kv.Key))
            observer.Log($"pooled with {n}-utterance speaker profiles: WA {m.WeightedAccuracy:F4} UA {m.UnweightedAccuracy:F4}");
        var byCorpus = ByCorpus(corpus, tested);
        if (corpus.Corpora.Count > 1)
        {
            foreach (var c in byCorpus)
            {
                var m = c.Profile.Metrics(classes);
                var lone = c.WithoutProfile?.Metrics(classes);
                observer.Log($"corpus {c.Corpus}: WA {m.WeightedAccuracy:F4} UA {m.UnweightedAccuracy:F4} over {c.Labels.Length} labels" +
                             (lone is null ? "" : $"; without speaker profiles WA {lone.WeightedAccuracy:F4} UA {lone.UnweightedAccuracy:F4}"));
            }
        }
        return new RunResult(protocol, recipe, seed, folds, pooled, wall.Elapsed)
        {
            PlannedFolds = plans.Count, PooledWithoutProfile = pooledPopulation, PooledByEnrollment = byEnrollmentMetrics, PooledSinglePass = pooledAlone,
            PooledUncalibrated = pooledUncalibrated, ByCorpus = byCorpus,
        };
    }

    /// <summary>Each corpus's test items, gathered over the folds, with the labels they were scored over.</summary>
    private static CorpusResult[] ByCorpus(LabelledCorpus corpus, IReadOnlyList<FoldResult> tested)
    {
        var result = new List<CorpusResult>();
        foreach (string name in corpus.Corpora)
        {
            var parts = new List<(FoldResult Fold, int[] Rows)>();
            foreach (var f in tested)
            {
                var rows = Enumerable.Range(0, f.Plan.Test.Length).Where(i => corpus.Utterances[f.Plan.Test[i].Source].Corpus == name).ToArray();
                if (rows.Length > 0) parts.Add((f, rows));
            }
            if (parts.Count == 0)
                continue;
            ScoredItems? Gather(Func<FoldResult, ScoredItems?> pick) =>
                parts.All(p => pick(p.Fold) is not null) ? ScoredItems.Concat(parts.Select(p => pick(p.Fold)!.Select(p.Rows))) : null;
            var labels = parts.SelectMany(p => p.Fold.Plan.Classes ?? Enumerable.Range(0, corpus.Labels.Count)).Distinct().Order().ToArray();
            result.Add(new CorpusResult(name, labels, Gather(f => f.Scored)!, Gather(f => f.ScoredWithoutProfile), Gather(f => f.ScoredSinglePass), Gather(f => f.ScoredUncalibrated)));
        }
        return result.ToArray();
    }

    internal static SpeakerStandardizer FitSpeakers(IEnumerable<TrainingItem> items, FeatureStore store, Func<TrainingItem, string?> speakerOf, float priorWeight)
    {
        // Original utterances only: an augmented copy is not another utterance of the speaker.
        var originals = items.Where(i => i.Copy == 0).DistinctBy(i => i.Source).Select(i => (store.Get(i), speakerOf(i)!)).ToArray();
        return SpeakerStandardizer.Fit(originals, priorWeight);
    }
}

/// <summary>Trains the networks of one fold: its label subset, its loss weights, its standardization, its calibration network.</summary>
internal sealed class FoldTrainer(
    FeatureStore store, Recipe recipe, int foldClasses, int[] localOf, int[] classOf, Func<TrainingItem, string?> speakerOf,
    bool balanceCorpora, IRunObserver observer, CancellationToken cancel)
{
    private float[] Row(TrainingItem i, SpeakerStandardizer? speakers) =>
        speakers is null ? store.Get(i) : speakers.Apply(store.Get(i), speakerOf(i));

    /// <summary>The global standardization of <paramref name="items"/> (identity when the recipe does not standardize).</summary>
    public Standardizer FitStandardizer(IReadOnlyList<TrainingItem> items, SpeakerStandardizer? speakers) =>
        recipe.Standardize ? Standardizer.Fit(items.Select(i => Row(i, speakers)).ToArray()) : Standardizer.Identity(store.Source.FeatureCount);

    /// <summary>Trains one network on <paramref name="train"/>, monitoring <paramref name="monitor"/>.</summary>
    public TrainedNetwork Train(TrainingItem[] train, TrainingItem[] monitor, SpeakerStandardizer? speakers, Standardizer standardizer,
        Recipe r, EpochSelection selection, int seed, string name, int member)
    {
        float[] x = standardizer.TransformFlat(train.Select(i => Row(i, speakers)).ToArray());
        int[] y = train.Select(i => localOf[classOf[i.Source]]).ToArray();
        float[]? monitorX = monitor.Length > 0 ? standardizer.TransformFlat(monitor.Select(i => Row(i, speakers)).ToArray()) : null;
        int[]? monitorY = monitor.Length > 0 ? monitor.Select(i => localOf[classOf[i.Source]]).ToArray() : null;
        float[]? weights = balanceCorpora
            ? NetworkTrainer.GroupBalancedWeights(y, train.Select(i => store.Corpus.Utterances[i.Source].Corpus).ToArray(), r.ClassWeights)
            : null;
        return NetworkTrainer.Train(x, y, monitorX, monitorY, store.Source.FeatureCount, foldClasses, r, selection, seed,
            s => observer.Epoch(name, member, s), cancel, weights);
    }

    /// <summary>
    /// Trains the calibration network (the fold's training part without its held-out calibration speakers) and fits
    /// the temperature on the held-out utterances, scored as the test is: with their own speakers' profiles (never seen
    /// in training) and with the test-time speed copies.
    /// </summary>
    public float FitTemperature(FoldPlan plan, Recipe r, int seed, int testCopies, bool bySpeaker)
    {
        var fitSpeakers = plan.CalibrationTrain.Select(speakerOf).ToHashSet();
        var speakers = bySpeaker ? ExperimentRunner.FitSpeakers(plan.CalibrationTrain.Concat(plan.ProfileOnly.Where(i => fitSpeakers.Contains(speakerOf(i)))), store, speakerOf, r.SpeakerPriorWeight) : null;
        var heldSpeakerSet = plan.CalibrationHeld.Select(speakerOf).ToHashSet();
        speakers?.AddUnseenSpeakers(plan.CalibrationHeld.Concat(plan.ProfileOnly.Where(i => heldSpeakerSet.Contains(speakerOf(i)))).Select(i => (store.Get(i), speakerOf(i)!)));
        var standardizer = FitStandardizer(plan.CalibrationTrain, speakers);
        observer.TrainingStarted(plan.Name + "-calibration", 0, r.Epochs);
        var net = Train(plan.CalibrationTrain, [], speakers, standardizer, r, EpochSelection.Last, seed, plan.Name + "-calibration", 0);
        observer.TrainingFinished(plan.Name + "-calibration", 0, net.SelectedEpoch);
        try
        {
            var ensemble = new TrainedEnsemble(standardizer, [net.Model], []) { Speaker = speakers };
            var held = plan.CalibrationHeld;
            var heldSpeakers = held.Select(speakerOf).ToArray();
            var logits = new List<float[]>();
            for (int c = 0; c <= testCopies; c++)
                logits.AddRange(ensemble.MemberLogits(held.Select(i => store.Get(new TrainingItem(i.Source, c))).ToArray(), heldSpeakers));
            return Calibration.FitTemperature(logits, held.Select(i => localOf[classOf[i.Source]]).ToArray(), foldClasses);
        }
        finally
        {
            net.Model.Dispose();
        }
    }
}
