namespace EmoSer.Trainer.Evaluation;

/// <summary>
/// Temperature scaling (Guo et al. 2017) and the expected calibration error. A model's probabilities are the mean,
/// over its members and test-time views, of <c>softmax(logits / T)</c>; <see cref="FitTemperature"/> finds the T that
/// minimises the negative log-likelihood of held-out utterances, as the runtime will compute the probabilities.
/// </summary>
public static class Calibration
{
    /// <summary>The range a temperature is searched in (and the weights file accepts).</summary>
    public const float MinTemperature = 0.05f, MaxTemperature = 20f;

    /// <summary>Equal-width confidence bins of <see cref="ExpectedCalibrationError"/>.</summary>
    public const int EceBins = 15;

    /// <summary>
    /// The temperature minimising the mean negative log-likelihood of <paramref name="actual"/> under the averaged
    /// probabilities. <paramref name="logits"/>[v] holds one (rows × classes) logit matrix per member and view: every
    /// matrix counts equally in the mean, as members and views do at run time.
    /// </summary>
    public static float FitTemperature(IReadOnlyList<float[]> logits, int[] actual, int classes)
    {
        if (actual.Length == 0 || logits.Count == 0)
            return 1f;
        double Nll(double logT)
        {
            double t = Math.Exp(logT), sum = 0;
            var p = new double[classes];
            for (int i = 0; i < actual.Length; i++)
            {
                Array.Clear(p);
                foreach (var z in logits)
                {
                    double max = double.NegativeInfinity;
                    for (int c = 0; c < classes; c++) max = Math.Max(max, z[i * classes + c] / t);
                    double norm = 0;
                    for (int c = 0; c < classes; c++) norm += Math.Exp(z[i * classes + c] / t - max);
                    for (int c = 0; c < classes; c++) p[c] += Math.Exp(z[i * classes + c] / t - max) / norm;
                }
                sum -= Math.Log(Math.Max(p[actual[i]] / logits.Count, 1e-12));
            }
            return sum / actual.Length;
        }
        // A coarse grid over log T, then golden-section search around its best point: the curve is smooth and has
        // one minimum in practice, the grid keeps a second one from misleading the refinement.
        double lo = Math.Log(MinTemperature), hi = Math.Log(MaxTemperature);
        const int Grid = 60;
        int best = 0;
        double bestValue = double.PositiveInfinity;
        for (int g = 0; g <= Grid; g++)
        {
            double v = Nll(lo + (hi - lo) * g / Grid);
            if (v < bestValue) { bestValue = v; best = g; }
        }
        double a = lo + (hi - lo) * Math.Max(0, best - 1) / Grid, b = lo + (hi - lo) * Math.Min(Grid, best + 1) / Grid;
        double r = (Math.Sqrt(5) - 1) / 2;
        double x1 = b - r * (b - a), x2 = a + r * (b - a), f1 = Nll(x1), f2 = Nll(x2);
        for (int it = 0; it < 40; it++)
        {
            if (f1 < f2) { b = x2; x2 = x1; f2 = f1; x1 = b - r * (b - a); f1 = Nll(x1); }
            else { a = x1; x1 = x2; f1 = f2; x2 = a + r * (b - a); f2 = Nll(x2); }
        }
        return (float)Math.Clamp(Math.Exp((a + b) / 2), MinTemperature, MaxTemperature);
    }

    /// <summary>
    /// Expected calibration error: over <see cref="EceBins"/> equal-width bins of the confidence (the top
    /// probability), the mean of |accuracy − mean confidence| weighted by the bin's share of the predictions.
    /// </summary>
    public static double ExpectedCalibrationError(IReadOnlyList<float> confidence, IReadOnlyList<bool> correct)
    {
        if (confidence.Count == 0)
            return double.NaN;
        var n = new int[EceBins];
        var conf = new double[EceBins];
        var acc = new double[EceBins];
        for (int i = 0; i < confidence.Count; i++)
        {
            int b = Math.Clamp((int)(confidence[i] * EceBins), 0, EceBins - 1);
            n[b]++;
            conf[b] += confidence[i];
            acc[b] += correct[i] ? 1 : 0;
        }
        double ece = 0;
        for (int b = 0; b < EceBins; b++)
        {
            if (n[b] > 0)
                ece += Math.Abs(acc[b] / n[b] - conf[b] / n[b]) * n[b] / confidence.Count;
        }
        return ece;
    }
}
