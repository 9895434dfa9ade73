using TorchSharp;
using static TorchSharp.torch;

namespace EmoSer.Trainer.Training;

/// <summary>A trained network, the epoch it was taken from and the full training history.</summary>
public sealed record TrainedNetwork(ModelA Model, IReadOnlyList<EpochStats> History, int SelectedEpoch);

/// <summary>Trains one <see cref="ModelA"/> with mini-batches, seeded shuffling and dropout, and an epoch selection rule.</summary>
public static class NetworkTrainer
{
    /// <summary>
    /// Trains on row-major standardized <paramref name="x"/> (rows × <paramref name="features"/>) with labels <paramref name="y"/>.
    /// <paramref name="monitorX"/>/<paramref name="monitorY"/> (may be null for <see cref="EpochSelection.Last"/>) are
    /// evaluated after every epoch to pick the kept weights.
    /// </summary>
    /// <param name="sampleWeights">
    /// Per-example loss weights (several corpora balanced, <see cref="Recipe.CorpusBalance"/>), or null for the class
    /// weights of <see cref="Recipe.ClassWeights"/>. A batch's loss is the weighted mean, as PyTorch's class-weighted
    /// cross-entropy computes it.
    /// </param>
    public static TrainedNetwork Train(
        float[] x, int[] y, float[]? monitorX, int[]? monitorY, int features, int classes,
        Recipe recipe, EpochSelection selection, int seed, Action<EpochStats>? onEpoch = null, CancellationToken cancel = default,
        float[]? sampleWeights = null)
    {
        if (selection != EpochSelection.Last && (monitorX is null || monitorY is null || monitorY.Length == 0))
            throw new ArgumentException("epoch selection needs a monitored split", nameof(monitorX));
        torch.manual_seed(seed);
        var model = new ModelA(features, classes);
        var parameters = model.parameters().ToArray();
        double lr0 = recipe.EffectiveLearningRate;
        optim.Optimizer optimizer = recipe.Optimizer == OptimizerKind.Adam
            ? optim.Adam(parameters, lr: lr0, beta1: 0.9, beta2: 0.999, eps: 1e-7)
            : optim.RMSProp(parameters, lr: lr0, alpha: 0.9, eps: 1e-7);
        using var classWeight = recipe.ClassWeights && sampleWeights is null ? tensor(InverseFrequencyWeights(y, classes)) : null;

        var rng = new Random(seed);
        int n = y.Length;
        var order = Enumerable.Range(0, n).ToArray();
        var history = new List<EpochStats>();
        Dictionary<string, Tensor>? best = null;
        double bestScore = double.NaN, bestLoss = double.PositiveInfinity;
        int bestEpoch = 0, sinceBest = 0;
        long step = 0;
        long totalSteps = (long)recipe.Epochs * ((n + recipe.BatchSize - 1) / recipe.BatchSize);
        var batchX = new float[recipe.BatchSize * features];
        var batchY = new long[recipe.BatchSize];
        var batchW = new float[recipe.BatchSize];
        for (int epoch = 1; epoch <= recipe.Epochs; epoch++)
        {
            cancel.ThrowIfCancellationRequested();
            rng.Shuffle(order);
            model.train();
            double lossSum = 0;
            int correct = 0;
            for (int start = 0; start < n; start += recipe.BatchSize)
            {
                int b = Math.Min(recipe.BatchSize, n - start);
                for (int i = 0; i < b; i++)
                {
                    int r = order[start + i];
                    Array.Copy(x, (long)r * features, batchX, (long)i * features, features);
                    batchY[i] = y[r];
                    if (sampleWeights is not null) batchW[i] = sampleWeights[r];
                }
                foreach (var g in optimizer.ParamGroups)
                    g.LearningRate = LearningRateAt(recipe, step, totalSteps);
                using var scope = NewDisposeScope();
                var xt = tensor(batchX.AsSpan(0, b * features).ToArray(), [b, 1, features]);
                var yt = tensor(batchY.AsSpan(0, b).ToArray(), [b]);
                optimizer.zero_grad();
                var logits = model.forward(xt);
                Tensor loss;
                if (sampleWeights is null)
                {
                    loss = nn.functional.cross_entropy(logits, yt, weight: classWeight);
                }
                else
                {
                    var wt = tensor(batchW.AsSpan(0, b).ToArray(), [b]);
                    loss = (nn.functional.cross_entropy(logits, yt, reduction: nn.Reduction.None) * wt).sum() / wt.sum();
                }
                loss.backward();
                optimizer.step();
                step++;
                lossSum += loss.item<float>() * b;
                correct += (int)logits.argmax(1).eq(yt).sum().item<long>();
            }
            if (recipe.PreciseBatchNorm)
            {
                using var all = tensor(x, [n, 1, features]);
                model.RecalibrateBatchNorm(all);
            }
            double? valLoss = null, valAcc = null;
            if (monitorX is not null && monitorY is not null && monitorY.Length > 0)
                (valLoss, valAcc) = Evaluate(model, monitorX, monitorY, features, classWeight);
            var stats = new EpochStats(epoch, lossSum / n, (double)correct / n, valLoss, valAcc);
            history.Add(stats);
            onEpoch?.Invoke(stats);

            if (selection == EpochSelection.Last)
                continue;
            // Accuracy-monitored selection breaks ties by the lower loss.
            double score = selection == EpochSelection.MinMonitorLoss ? -valLoss!.Value : valAcc!.Value;
            bool better = double.IsNaN(bestScore) || score > bestScore
                          || (selection != EpochSelection.MinMonitorLoss && score == bestScore && valLoss < bestLoss);
            if (better)
            {
                bestScore = score;
                bestLoss = valLoss!.Value;
                bestEpoch = epoch;
                sinceBest = 0;
                DisposeAll(best);
                best = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
            }
            else if (selection != EpochSelection.Last && recipe.Patience > 0 && ++sinceBest >= recipe.Patience)
            {
                break;
            }
        }
        if (best is not null)
        {
            model.load_state_dict(best);
            DisposeAll(best);
        }
        optimizer.Dispose();
        model.eval();
        return new TrainedNetwork(model, history, selection == EpochSelection.Last ? history.Count : bestEpoch);
    }

    /// <summary>The learning rate of step <paramref name="step"/> (0-based) of <paramref name="totalSteps"/>.</summary>
    public static double LearningRateAt(Recipe recipe, long step, long totalSteps)
    {
        double lr0 = recipe.EffectiveLearningRate;
        if (recipe.Schedule == LearningRateSchedule.Constant)
            return lr0 / (1 + recipe.Decay * step);
        // PyTorch's OneCycleLR shape (pct_start 0.1, div_factor 25, final_div_factor 1e4), without momentum cycling:
        // a short warm-up keeps Adam's first steps small, the long cosine tail settles the weights.
        const double warmShare = 0.1, div = 25, finalDiv = 1e4;
        double warm = Math.Max(1, Math.Floor(warmShare * totalSteps) - 1);
        double start = lr0 / div, end = start / finalDiv;
        if (step <= warm)
            return start + (lr0 - start) * step / warm;
        double t = Math.Min(1, (step - warm) / Math.Max(1, totalSteps - 1 - warm));
        return end + (lr0 - end) * 0.5 * (1 + Math.Cos(Math.PI * t));
    }

    /// <summary>Mean cross-entropy and accuracy of <paramref name="model"/> (eval mode) on a split.</summary>
    public static (double Loss, double Acc) Evaluate(ModelA model, float[] x, int[] y, int features, Tensor? classWeight = null)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var xt = tensor(x, [y.Length, 1, features]);
        var yt = tensor(y.Select(v => (long)v).ToArray(), [y.Length]);
        var logits = model.forward(xt);
        double loss = nn.functional.cross_entropy(logits, yt, weight: classWeight).item<float>();
        double acc = logits.argmax(1).eq(yt).sum().item<long>() / (double)y.Length;
        return (loss, acc);
    }

    /// <summary>
    /// Per-example weights that give every group (corpus) the same total weight and, with <paramref name="byClass"/>,
    /// every class the same weight within its group: <c>n / (groups · classes in group · count(group, class))</c>.
    /// With one group and <paramref name="byClass"/> they are <see cref="InverseFrequencyWeights"/> per example.
    /// </summary>
    public static float[] GroupBalancedWeights(int[] y, string[] group, bool byClass)
    {
        int n = y.Length;
        var count = new Dictionary<(string, int), int>();
        var groupCount = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            var key = (group[i], byClass ? y[i] : 0);
            count[key] = count.GetValueOrDefault(key) + 1;
            groupCount[group[i]] = groupCount.GetValueOrDefault(group[i]) + 1;
        }
        int groups = groupCount.Count;
        var classesIn = count.Keys.GroupBy(k => k.Item1).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var w = new float[n];
        for (int i = 0; i < n; i++)
            w[i] = (float)((double)n / (groups * classesIn[group[i]] * count[(group[i], byClass ? y[i] : 0)]));
        return w;
    }

    /// <summary>n / (classes * count[c]) per class (sklearn's "balanced"); an absent class gets 1.</summary>
    public static float[] InverseFrequencyWeights(int[] y, int classes)
    {
        var count = new int[classes];
        foreach (int c in y) count[c]++;
        return count.Select(c => c == 0 ? 1f : (float)y.Length / (classes * c)).ToArray();
    }

    private static void DisposeAll(Dictionary<string, Tensor>? d)
    {
        if (d is null) return;
        foreach (var t in d.Values) t.Dispose();
    }
}
