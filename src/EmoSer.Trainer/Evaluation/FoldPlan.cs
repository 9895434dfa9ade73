using EmoSer.Trainer.Corpus;
using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Evaluation;

/// <summary>
/// Exactly what one fold trains, monitors and tests on, decided before any feature is touched. Augmented copies are
/// made only from the fold's fitting utterances (never from the inner validation or test utterances), except in the
/// seed protocol, which reproduces the seed's leak on purpose.
/// </summary>
public sealed record FoldPlan(string Name, TrainingItem[] Train, TrainingItem[] Monitor, TrainingItem[] Test, EpochSelection Selection)
{
    /// <summary>The class indices the fold's networks output (loco: the labels the corpora share); null for every class.</summary>
    public int[]? Classes { get; init; }

    /// <summary>
    /// With calibration: what the calibration network trains on (the fold's training part without the held-out
    /// calibration speakers, with their copies); empty without calibration.
    /// </summary>
    public TrainingItem[] CalibrationTrain { get; init; } = [];

    /// <summary>With calibration: the held-out utterances of the training part the temperature is fitted on.</summary>
    public TrainingItem[] CalibrationHeld { get; init; } = [];

    /// <summary>
    /// Utterances the fold neither trains nor tests on only because of their label (loco: labels the corpora do not
    /// share). They still describe their speakers' voices, so they enter the speaker profiles (training speakers' and
    /// test speakers' alike), as a profile at run time comes from whatever a speaker said, without labels.
    /// </summary>
    public TrainingItem[] ProfileOnly { get; init; } = [];

    /// <summary>Plans every fold of <paramref name="protocol"/> for <paramref name="corpus"/>.</summary>
    public static IReadOnlyList<FoldPlan> Build(LabelledCorpus corpus, Protocol protocol, Recipe recipe, int seed, double testSize, int randomState)
    {
        int[] classOf = corpus.ClassIndices();
        int n = corpus.Utterances.Count;
        int copies = recipe.Augmentations;
        switch (protocol)
        {
            case Protocol.Seed:
            {
                // The seed augments every utterance first and then splits the pool at random, so copies of a test
                // utterance land in training, and it keeps the epoch with the best test accuracy: both leak.
                var pool = Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(0, copies + 1).Select(c => new TrainingItem(i, c))).ToArray();
                var (tr, te) = Splits.Random(pool.Length, testSize, randomState);
                var test = te.Select(i => pool[i]).ToArray();
                return [new FoldPlan("seed-split", tr.Select(i => pool[i]).ToArray(), test, test, EpochSelection.MaxMonitorAccuracy)];
            }
            case Protocol.Holdout:
            {
                var (train, test) = Splits.Stratified(Enumerable.Range(0, n).ToArray(), classOf, testSize, randomState);
                // The holdout test shares speakers with training, so the inner split that picks the epoch does too.
                return [Inner(corpus, "holdout", train, test, classOf, recipe, seed, null, bySpeaker: false)];
            }
            case Protocol.Loso:
                return Splits.LeaveOneSpeakerOut(corpus).Select((f, k) => Inner(corpus, f.Name, f.Train, f.Test, classOf, recipe, seed + k, null)).ToArray();
            case Protocol.Loco:
                return Splits.LeaveOneCorpusOut(corpus).Select((f, k) => Inner(corpus, f.Name, f.Train, f.Test, classOf, recipe, seed + k, f.Classes) with
                {
                    ProfileOnly = Enumerable.Range(0, n).Except(f.Train).Except(f.Test).Select(i => new TrainingItem(i, 0)).ToArray(),
                }).ToArray();
            case Protocol.Full:
                return [Inner(corpus, "full", Enumerable.Range(0, n).ToArray(), [], classOf, recipe, seed, null)];
            default:
                throw new ArgumentOutOfRangeException(nameof(protocol));
        }
    }

    /// <summary>
    /// What the full protocol's final refit trains on: the fitting items and the inner-validation utterances with as
    /// many augmented copies each (<paramref name="augmentations"/>) as the fitting utterances have.
    /// </summary>
    public TrainingItem[] RefitItems(int augmentations) =>
        Train.Concat(Monitor.Where(i => i.Copy == 0).SelectMany(i => Enumerable.Range(0, augmentations + 1).Select(c => new TrainingItem(i.Source, c)))).ToArray();

    private static FoldPlan Inner(LabelledCorpus corpus, string name, int[] train, int[] test, int[] classOf, Recipe recipe, int seed, int[]? classes, bool bySpeaker = true)
    {
        int[] fit = train, val = [];
        var selection = EpochSelection.Last;
        if (recipe.Patience > 0 && recipe.ValidationFraction > 0)
        {
            (fit, val) = Splits.InnerValidation(corpus, train, classOf, recipe.ValidationFraction, seed, bySpeaker);
            selection = recipe.MonitorLoss ? EpochSelection.MinMonitorLoss : EpochSelection.MaxMonitorAccuracy;
        }
        TrainingItem[] WithCopies(IEnumerable<int> utterances) =>
            utterances.SelectMany(i => Enumerable.Range(0, recipe.Augmentations + 1).Select(c => new TrainingItem(i, c))).ToArray();
        TrainingItem[] calibrationTrain = [], calibrationHeld = [];
        if (recipe.Calibration)
        {
            // Held-out voices of the training part (per corpus), never the test's: the temperature must not see the test.
            var (calFit, calHeld) = Splits.InnerValidation(corpus, fit, classOf, recipe.CalibrationFraction, unchecked(seed * 31 + 17), bySpeaker);
            calibrationTrain = WithCopies(calFit);
            calibrationHeld = calHeld.Select(i => new TrainingItem(i, 0)).ToArray();
        }
        return new FoldPlan(name, WithCopies(fit), val.Select(i => new TrainingItem(i, 0)).ToArray(),
            test.Select(i => new TrainingItem(i, 0)).ToArray(), selection)
        {
            Classes = classes, CalibrationTrain = calibrationTrain, CalibrationHeld = calibrationHeld,
        };
    }
}
