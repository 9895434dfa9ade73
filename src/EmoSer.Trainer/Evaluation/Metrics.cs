namespace EmoSer.Trainer.Evaluation;

/// <summary>Classification metrics of a set of predictions.</summary>
public sealed class Metrics
{
    /// <summary>
    /// Computes the metrics of <paramref name="predicted"/> against <paramref name="actual"/> class indices; with
    /// <paramref name="confidence"/> (each prediction's probability), the expected calibration error too.
    /// </summary>
    public Metrics(IReadOnlyList<int> actual, IReadOnlyList<int> predicted, int classes, IReadOnlyList<float>? confidence = null)
    {
        if (actual.Count != predicted.Count)
            throw new ArgumentException("actual and predicted differ in length");
        Confusion = new int[classes][];
        for (int c = 0; c < classes; c++) Confusion[c] = new int[classes];
        for (int i = 0; i < actual.Count; i++)
            Confusion[actual[i]][predicted[i]]++;
        Count = actual.Count;
        int correct = Enumerable.Range(0, classes).Sum(c => Confusion[c][c]);
        WeightedAccuracy = Count == 0 ? double.NaN : (double)correct / Count;
        Recall = new double?[classes];
        var f1 = new List<double>();
        for (int c = 0; c < classes; c++)
        {
            int support = Confusion[c].Sum();
            int predictedC = Enumerable.Range(0, classes).Sum(r => Confusion[r][c]);
            if (support > 0)
                Recall[c] = (double)Confusion[c][c] / support;
            if (support > 0)
            {
                double p = predictedC == 0 ? 0 : (double)Confusion[c][c] / predictedC;
                double r = Recall[c]!.Value;
                f1.Add(p + r == 0 ? 0 : 2 * p * r / (p + r));
            }
        }
        var recalls = Recall.Where(r => r.HasValue).Select(r => r!.Value).ToArray();
        UnweightedAccuracy = recalls.Length == 0 ? double.NaN : recalls.Average();
        MacroF1 = f1.Count == 0 ? double.NaN : f1.Average();
        if (confidence is not null)
        {
            if (confidence.Count != actual.Count)
                throw new ArgumentException("actual and confidence differ in length");
            _ece = Calibration.ExpectedCalibrationError(confidence, actual.Select((a, i) => a == predicted[i]).ToArray());
            _meanConfidence = confidence.Count == 0 ? double.NaN : confidence.Average(c => (double)c);
        }
    }

    /// <summary>Expected calibration error of the predictions' confidences (<see cref="Calibration.ExpectedCalibrationError"/>), or NaN when none were given.</summary>
    public double ExpectedCalibrationError
    {
        get => ExpectedCalibrationErrorOverride ?? _ece;
    }

    /// <summary>Mean confidence of the predictions, or NaN when none were given.</summary>
    public double MeanConfidence
    {
        get => MeanConfidenceOverride ?? _meanConfidence;
    }

    /// <summary>Set on metrics rebuilt from another's counts (a label subset of the same predictions) to carry its calibration error.</summary>
    internal double? ExpectedCalibrationErrorOverride { get; init; }

    /// <summary>Set with <see cref="ExpectedCalibrationErrorOverride"/>.</summary>
    internal double? MeanConfidenceOverride { get; init; }

    private readonly double _ece = double.NaN;
    private readonly double _meanConfidence = double.NaN;

    /// <summary>Number of predictions.</summary>
    public int Count { get; }

    /// <summary>WA: plain accuracy.</summary>
    public double WeightedAccuracy { get; }

    /// <summary>UA: mean recall over the classes present in <c>actual</c>.</summary>
    public double UnweightedAccuracy { get; }

    /// <summary>Mean F1 over the classes present in <c>actual</c>.</summary>
    public double MacroF1 { get; }

    /// <summary>Recall per class (null for a class absent from <c>actual</c>).</summary>
    public double?[] Recall { get; }

    /// <summary>Confusion[actual][predicted] counts.</summary>
    public int[][] Confusion { get; }
}
