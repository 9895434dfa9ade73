using System.Diagnostics;
using EmoSer.Trainer.Corpus;
using EmoSer.Trainer.Export;
using EmoSer.Trainer.Evaluation;
using EmoSer.Trainer.Features;
using EmoSer.Trainer.Reporting;
using EmoSer.Trainer.Training;
using EmoSer.Runtime.IO;

namespace EmoSer.Trainer.Cli;

/// <summary>Runs <c>emoser-train fit</c>: corpus → features → protocol → report, plots and (protocol full) weights.</summary>
public static class FitRunner
{
    /// <summary>Runs the fit; returns the process exit code.</summary>
    public static int Run(FitOptions o, IRunObserver observer, CancellationToken cancel = default)
    {
        var corpus = CorpusLoader.Load(o.Data, o.LabelMap is null ? null : LabelMap.Read(o.LabelMap));
        if (o.Labels is { Count: > 0 })
            corpus = corpus.Restrict(o.Labels);
        foreach (string named in o.Licences.Keys)
        {
            if (!corpus.Corpora.Contains(named, StringComparer.Ordinal))
                throw new CorpusException($"--license names the corpus '{named}', which is not among {string.Join(", ", corpus.Corpora)}");
        }
        // Fail on missing speakers or corpora before any work.
        if (o.Protocol == Protocol.Loso)
            _ = Splits.LeaveOneSpeakerOut(corpus);
        if (o.Protocol == Protocol.Loco)
            _ = Splits.LeaveOneCorpusOut(corpus);
        TorchSharp.torch.set_num_threads(Math.Max(1, o.Threads));
        IFeatureSource source = FeatureSources.Create(o, corpus, observer);
        if (o.Recipe.FrontEnd is { IsActive: true } && !source.CanExtractAudio)
            throw new CorpusException($"--golden features have no audio for the front end: add --front-end none (or --recipe seed)");
        if (o.Recipe.Augmentations > 0 && !source.CanExtractAudio)
            throw new CorpusException($"{o.Data}: augmentation (--augment, --speed-perturb) needs the runtime feature extractor (not --golden features)");
        if (o.Recipe.Augmentation == AugmentationKind.Speed && o.Recipe.Augmentations > 0)
            EmoSer.Trainer.Augmentation.SpeedPerturbation.CheckFactorsAt(source.SampleRate, o.Recipe.SpeedFactors);
        var store = new FeatureStore(corpus, source, o.Recipe.Augmentations > 0 ? FeatureSources.CreateAugmenter(o.Recipe) : null, o.Seed);
        if (o.DumpAugmented is not null)
            store.OnAugmented = AugmentedDump.Writer(o.DumpAugmented, corpus);

        string? gitEarly = GitCommit();
        // After each fold but the last, an up-to-date partial report ("complete": false), so a long run can be followed or cut short.
        var run = ExperimentRunner.Run(store, o.Protocol, o.Recipe, o.Seed, o.TestSize, o.RandomState, observer, cancel, partial =>
        {
            Directory.CreateDirectory(o.Out);
            AtomicFile.Write(Path.Combine(o.Out, "report.json"), ReportWriter.Build(partial, corpus, source, o.CommandLine, gitEarly, recipeName: o.RecipeName));
        });

        Directory.CreateDirectory(o.Out);
        var files = new Dictionary<string, string>();
        string? git = GitCommit();
        if (o.Protocol == Protocol.Full)
        {
            string weights = Path.GetFullPath(o.Weights ?? Path.Combine(o.Out, "model-a.emow"));
            string card = Path.Combine(Path.GetDirectoryName(weights)!, "model-card.json");
            var model = run.Folds[0].Model;
            byte[] cardJson = ModelCard.Build(run, corpus, source, git, o.Out, o);
            AtomicFile.Write(card, cardJson);
            ModelExport.Write(model, source, o.ModelName, System.Text.Encoding.UTF8.GetString(cardJson), weights);
            files["weights"] = weights;
            files["model_card"] = card;
            observer.Log($"weights: {weights}");
        }
        foreach (var (k, v) in Plots.Write(run, corpus, o.Out))
            files[k] = v;
        if (o.DumpFeatures is not null)
        {
            files["features"] = Path.GetFullPath(o.DumpFeatures);
            FeatureDump.Write(o.DumpFeatures, store);
            observer.Log($"features: {files["features"]}");
        }
        string report = Path.GetFullPath(Path.Combine(o.Out, "report.json"));
        files["report"] = report;
        AtomicFile.Write(report, ReportWriter.Build(run, corpus, source, o.CommandLine, git, files, o.RecipeName));
        observer.Log($"report: {report} (wall {run.Wall.TotalSeconds:F1} s)");
        if (observer is EventsObserver ev)
            ev.Done(report, files.GetValueOrDefault("weights"));
        return 0;
    }

    /// <summary>The current git commit of the working directory (with "+dirty" when src/ has uncommitted changes), or null.</summary>
    public static string? GitCommit()
    {
        string? head = Git("rev-parse --short=12 HEAD", out _);
        if (head is null)
            return null;
        // A run from uncommitted source says so, so a report never claims a commit that did not hold its code.
        _ = Git("diff --quiet HEAD -- src", out int diffExit);
        return diffExit == 1 ? head + "+dirty" : head;
    }

    private static string? Git(string arguments, out int exitCode)
    {
        exitCode = -1;
        try
        {
            var psi = new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            string s = p.StandardOutput.ReadToEnd().Trim();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            exitCode = p.ExitCode;
            return p.ExitCode == 0 && s.Length > 0 ? s : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }
}
