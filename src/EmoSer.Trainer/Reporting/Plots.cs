using EmoSer.Trainer.Corpus;
using EmoSer.Trainer.Evaluation;
using EmoSer.Trainer.Training;
using ScottPlot;
using EmoSer.Runtime.IO;

namespace EmoSer.Trainer.Reporting;

/// <summary>The PNG plots of a run (ScottPlot): training curves and the pooled confusion matrix, written atomically.</summary>
public static class Plots
{
    /// <summary>Writes the plots into <paramref name="outDir"/>; returns name → path of each file written.</summary>
    public static IReadOnlyDictionary<string, string> Write(RunResult run, LabelledCorpus corpus, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var files = new Dictionary<string, string>();
        string loss = Path.GetFullPath(Path.Combine(outDir, "training-loss.png"));
        Curves(run, loss, accuracy: false);
        files["plot_loss"] = loss;
        string acc = Path.GetFullPath(Path.Combine(outDir, "training-accuracy.png"));
        Curves(run, acc, accuracy: true);
        files["plot_accuracy"] = acc;
        if (run.Pooled is not null)
        {
            string cm = Path.GetFullPath(Path.Combine(outDir, "confusion.png"));
            Confusion(run.Pooled, corpus.Labels, $"{run.Protocol.ToString().ToLowerInvariant()}: WA {run.Pooled.WeightedAccuracy:F3}, UA {run.Pooled.UnweightedAccuracy:F3}", cm);
            files["plot_confusion"] = cm;
        }
        // Several corpora: one confusion matrix per corpus, over the labels it was tested on.
        if (corpus.Corpora.Count > 1)
        {
            foreach (var c in run.ByCorpus)
            {
                var m = c.Profile.Metrics(corpus.Labels.Count);
                string safe = string.Concat(c.Corpus.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_'));
                string path = Path.GetFullPath(Path.Combine(outDir, $"confusion-{safe}.png"));
                var sub = ReportWriter.SubMatrix(m, c.Labels);
                Confusion(sub, c.Labels.Select(l => corpus.Labels[l]).ToArray(), $"{c.Corpus}: WA {m.WeightedAccuracy:F3}, UA {m.UnweightedAccuracy:F3}", path);
                files[$"plot_confusion_{safe}"] = path;
            }
        }
        return files;
    }

    private static void Curves(RunResult run, string path, bool accuracy)
    {
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int k = 0;
        foreach (var fold in run.Folds)
        {
            var color = palette.GetColor(k++);
            for (int m = 0; m < fold.Histories.Count; m++)
            {
                // A full run's history is the epoch-selection run followed by the final refit, whose epochs count
                // from 1 again: each run is its own line (the refit dotted, without a monitored split).
                var runs = Runs(fold.Histories[m]);
                for (int j = 0; j < runs.Count; j++)
                {
                    var h = runs[j];
                    double[] xs = h.Select(e => (double)e.Epoch).ToArray();
                    var train = plt.Add.ScatterLine(xs, h.Select(e => accuracy ? e.Acc : e.Loss).ToArray());
                    train.Color = color;
                    train.LineWidth = 1;
                    if (j > 0) train.LinePattern = LinePattern.Dotted;
                    if (m == 0) train.LegendText = j == 0 ? $"{fold.Plan.Name} train" : $"{fold.Plan.Name} final refit";
                    if (h.All(e => e.ValLoss.HasValue))
                    {
                        var val = plt.Add.ScatterLine(xs, h.Select(e => accuracy ? e.ValAcc!.Value : e.ValLoss!.Value).ToArray());
                        val.Color = color;
                        val.LineWidth = 1;
                        val.LinePattern = LinePattern.Dashed;
                        if (m == 0) val.LegendText = run.Protocol == Protocol.Seed ? $"{fold.Plan.Name} test (monitored)" : $"{fold.Plan.Name} inner validation";
                    }
                }
            }
        }
        plt.Title($"{run.Protocol.ToString().ToLowerInvariant()}: training {(accuracy ? "accuracy" : "loss")} (solid: train, dashed: monitored split)");
        plt.XLabel("epoch");
        plt.YLabel(accuracy ? "accuracy" : "cross-entropy loss");
        if (run.Folds.Count <= 12) plt.ShowLegend(Alignment.UpperRight);
        AtomicFile.Write(path, t => plt.SavePng(t, 1000, 650));
    }

    /// <summary>Splits a history where the epoch number starts again (a refit after the epoch-selection run).</summary>
    internal static List<EpochStats[]> Runs(IReadOnlyList<EpochStats> history)
    {
        var runs = new List<EpochStats[]>();
        int start = 0;
        for (int i = 1; i <= history.Count; i++)
        {
            if (i == history.Count || history[i].Epoch <= history[i - 1].Epoch)
            {
                if (i > start) runs.Add(history.Skip(start).Take(i - start).ToArray());
                start = i;
            }
        }
        return runs;
    }

    internal static void Confusion(Metrics m, IReadOnlyList<string> labels, string title, string path)
    {
        int n = labels.Count;
        var plt = new Plot();
        var norm = new double[n, n];
        for (int r = 0; r < n; r++)
        {
            int support = m.Confusion[r].Sum();
            for (int c = 0; c < n; c++)
                norm[r, c] = support == 0 ? 0 : (double)m.Confusion[r][c] / support;
        }
        // Cells drawn one by one (row r at y = r, axis inverted) so the layout is explicit: row = actual, column = predicted.
        var colormap = new ScottPlot.Colormaps.Viridis();
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++)
            {
                var cell = plt.Add.Rectangle(c - 0.5, c + 0.5, r - 0.5, r + 0.5);
                cell.FillColor = colormap.GetColor(norm[r, c]);
                cell.LineWidth = 0;
                var t = plt.Add.Text(m.Confusion[r][c].ToString(System.Globalization.CultureInfo.InvariantCulture), c, r);
                t.LabelAlignment = Alignment.MiddleCenter;
                t.LabelFontColor = norm[r, c] > 0.6 ? Colors.Black : Colors.White;
                t.LabelFontSize = 14;
            }
        }
        var ticks = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plt.Axes.Bottom.SetTicks(ticks, labels.ToArray());
        plt.Axes.Left.SetTicks(ticks, labels.ToArray());
        plt.Axes.SetLimits(-0.5, n - 0.5, n - 0.5, -0.5);
        plt.Title(title);
        plt.XLabel("predicted");
        plt.YLabel("actual (colour: share of the row; numbers: counts)");
        AtomicFile.Write(path, t => plt.SavePng(t, 800, 700));
    }
}
