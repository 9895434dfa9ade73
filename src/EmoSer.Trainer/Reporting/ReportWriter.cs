using System.Text.Json;
using EmoSer.Trainer.Corpus;
using EmoSer.Trainer.Evaluation;
using EmoSer.Trainer.Features;
using EmoSer.Trainer.Training;

namespace EmoSer.Trainer.Reporting;

/// <summary>Writes report.json (spec: docs/trainer-report.md) atomically.</summary>
public static class ReportWriter
{
    /// <summary>Why the seed protocol's figure is not an estimate of accuracy on new recordings.</summary>
    public const string SeedLeakNote =
        "LEAKY, not an estimate of accuracy on new recordings: the seed protocol augments every utterance before the random " +
        "80/20 split, so augmented copies of test utterances are in the training set; the split is by utterance, so the test " +
        "speakers (and the same sentences by the same speakers in other emotions) are in training; and the kept epoch is the one " +
        "with the best accuracy on the test set itself. See the holdout and loso reports for honest figures.";

    /// <summary>Builds the report JSON bytes.</summary>
    public static byte[] Build(RunResult run, LabelledCorpus corpus, IFeatureSource features, string command, string? gitCommit,
        IReadOnlyDictionary<string, string>? files = null, string? recipeName = null)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("protocol", run.Protocol.ToString().ToLowerInvariant());
            WriteNumber(w, "wa", run.Pooled?.WeightedAccuracy);
            WriteNumber(w, "ua", run.Pooled?.UnweightedAccuracy);
            WriteNumber(w, "macro_f1", run.Pooled?.MacroF1);
            w.WriteBoolean("leaky", run.Protocol == Protocol.Seed);
            w.WriteBoolean("complete", run.Complete);
            w.WriteNumber("folds_done", run.Folds.Count);
            w.WriteNumber("folds_planned", run.PlannedFolds);
            w.WriteString("note", run.Protocol switch
            {
                Protocol.Seed => SeedLeakNote,
                Protocol.Holdout => "Leak-free: stratified split of the original utterances; augmentation (if any) only of training utterances; the epoch is chosen on an inner validation split of the training part, never on the test part. Speakers are shared between training and test.",
                Protocol.Loso => "Leak-free, speaker-independent: each fold tests one speaker never seen in training; the epoch is chosen on held-out training speakers. Metrics are pooled over all folds' test predictions.",
                Protocol.Loco => "Leak-free, corpus-independent: each fold trains on every other corpus and tests the left-out one, over the labels they share; the epoch count and the temperature are chosen on the training corpora only (the temperature on speakers held out of them), never on the test corpus. Speaker profiles of test speakers come from their own unlabelled utterances. See by_corpus for each corpus's figures.",
                _ => "No test set: the final model trained on the whole corpus; see the holdout/loso reports for its expected accuracy.",
            });
            w.WriteNumber("wall_seconds", Math.Round(run.Wall.TotalSeconds, 1));
            w.WriteString("created", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"));
            w.WriteString("git_commit", gitCommit);
            w.WriteString("command", command);
            w.WriteNumber("seed", run.Seed);
            if (recipeName is not null)
                w.WriteString("recipe_name", recipeName);
            WriteNumber(w, "ece", run.Pooled?.ExpectedCalibrationError);
            if (run.PooledUncalibrated is not null)
                WriteNumber(w, "ece_uncalibrated", run.PooledUncalibrated.ExpectedCalibrationError);

            w.WriteStartObject("corpus");
            w.WriteString("name", corpus.Name);
            w.WriteString("source", corpus.Source);
            w.WriteNumber("utterances", corpus.Utterances.Count);
            w.WriteNumber("speakers", corpus.Speakers.Count);
            w.WriteStartArray("labels");
            foreach (var l in corpus.Labels) w.WriteStringValue(l);
            w.WriteEndArray();
            WriteCorpora(w, corpus, null);
            w.WriteEndObject();

            w.WriteStartObject("features");
            w.WriteString("feature_set_id", features.FeatureSetId);
            w.WriteNumber("extractor_version", features.ExtractorVersion);
            w.WriteNumber("sample_rate", features.SampleRate);
            w.WriteString("source", features.GetType().Name);
            w.WriteString("front_end", (features as CachedExtractorSource)?.FrontEnd?.ToString() ?? "none");
            w.WriteEndObject();

            w.WritePropertyName("recipe");
            WriteRecipe(w, run.Recipe);

            if (run.Pooled is not null)
            {
                w.WritePropertyName("pooled");
                WriteMetrics(w, run.Pooled, corpus.Labels);
            }
            if (run.PooledWithoutProfile is not null)
            {
                // The same networks on the same test utterances, with the population statistics in place of each
                // speaker's: what a single file without a speaker profile gets at run time.
                w.WritePropertyName("pooled_without_speaker_profile");
                WriteMetrics(w, run.PooledWithoutProfile, corpus.Labels);
            }
            if (run.PooledSinglePass is not null)
            {
                // The same networks and utterances without the test-time speed copies: what `--single-pass` gets.
                w.WritePropertyName("pooled_single_pass");
                WriteMetrics(w, run.PooledSinglePass, corpus.Labels);
            }
            if (run.PooledByEnrollment.Count > 0)
            {
                // Test speakers never seen in training, each profiled from only n of its own utterances.
                w.WriteStartArray("pooled_by_enrollment");
                foreach (var (n, m) in run.PooledByEnrollment.OrderBy(kv => kv.Key))
                {
                    w.WriteStartObject();
                    w.WriteNumber("utterances", n);
                    WriteNumber(w, "wa", m.WeightedAccuracy);
                    WriteNumber(w, "ua", m.UnweightedAccuracy);
                    WriteNumber(w, "macro_f1", m.MacroF1);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (run.ByCorpus.Count > 0 && corpus.Corpora.Count > 1)
            {
                w.WriteStartArray("by_corpus");
                foreach (var c in run.ByCorpus)
                    WriteCorpus(w, c, corpus.Labels);
                w.WriteEndArray();
            }
            w.WriteStartArray("folds");
            foreach (var f in run.Folds)
            {
                w.WriteStartObject();
                w.WriteString("name", f.Plan.Name);
                w.WriteNumber("train", f.Plan.Train.Length);
                w.WriteNumber("train_utterances", f.Plan.Train.Select(i => i.Source).Distinct().Count());
                w.WriteNumber("monitor", f.Plan.Monitor.Length);
                w.WriteNumber("test", f.Plan.Test.Length);
                w.WriteString("epoch_selection", f.Plan.Selection.ToString());
                if (f.Plan.Classes is { } foldClasses)
                {
                    w.WriteStartArray("labels");
                    foreach (int c in foldClasses) w.WriteStringValue(corpus.Labels[c]);
                    w.WriteEndArray();
                }
                w.WriteNumber("temperature", Math.Round(f.Temperature, 6));
                if (f.CalibrationUtterances > 0)
                    w.WriteNumber("calibration_utterances", f.CalibrationUtterances);
                w.WriteStartArray("selected_epochs");
                foreach (int e in f.SelectedEpochs) w.WriteNumberValue(e);
                w.WriteEndArray();
                if (f.Metrics is not null)
                {
                    WriteNumber(w, "wa", f.Metrics.WeightedAccuracy);
                    WriteNumber(w, "ua", f.Metrics.UnweightedAccuracy);
                    w.WritePropertyName("metrics");
                    WriteMetrics(w, f.Metrics, corpus.Labels);
                }
                if (f.MetricsSinglePass is not null)
                {
                    w.WritePropertyName("metrics_single_pass");
                    WriteMetrics(w, f.MetricsSinglePass, corpus.Labels);
                }
                if (f.MetricsWithoutProfile is not null)
                {
                    w.WritePropertyName("metrics_without_speaker_profile");
                    WriteMetrics(w, f.MetricsWithoutProfile, corpus.Labels);
                }
                // Which utterances were tested, so any other classifier can be compared on exactly this split.
                w.WriteStartArray("test_ids");
                foreach (var t in f.Plan.Test) w.WriteStringValue(corpus.Utterances[t.Source].Id);
                w.WriteEndArray();
                // One row per test item: its corpus, speaker, label and what the model said, with and without a profile.
                if (f.Scored is not null)
                {
                    w.WriteStartArray("rows");
                    for (int i = 0; i < f.Plan.Test.Length; i++)
                    {
                        var u = corpus.Utterances[f.Plan.Test[i].Source];
                        w.WriteStartObject();
                        w.WriteString("id", u.Id);
                        w.WriteString("corpus", u.Corpus);
                        if (u.Speaker is null) w.WriteNull("speaker"); else w.WriteString("speaker", u.Speaker);
                        w.WriteString("label", u.Label);
                        int p = f.Scored.Predicted[i];
                        w.WriteString("predicted", corpus.Labels[p]);
                        w.WriteNumber("confidence", Math.Round(f.Scored.Probabilities[i][p], 4));
                        if (f.ScoredWithoutProfile is not null)
                        {
                            int q = f.ScoredWithoutProfile.Predicted[i];
                            w.WriteString("predicted_without_speaker_profile", corpus.Labels[q]);
                            w.WriteNumber("confidence_without_speaker_profile", Math.Round(f.ScoredWithoutProfile.Probabilities[i][q], 4));
                        }
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                // The seed protocol tests augmented copies: which copy of each id, so no one scores the originals instead.
                if (f.Plan.Test.Any(t => t.Copy != 0))
                {
                    w.WriteStartArray("test_copies");
                    foreach (var t in f.Plan.Test) w.WriteNumberValue(t.Copy);
                    w.WriteEndArray();
                }
                w.WriteStartArray("history");
                foreach (var h in f.Histories)
                {
                    w.WriteStartArray();
                    foreach (var e in h)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("epoch", e.Epoch);
                        w.WriteNumber("loss", Math.Round(e.Loss, 5));
                        w.WriteNumber("acc", Math.Round(e.Acc, 5));
                        WriteNumber(w, "val_loss", e.ValLoss is { } vl ? Math.Round(vl, 5) : null);
                        WriteNumber(w, "val_acc", e.ValAcc is { } va ? Math.Round(va, 5) : null);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (files is not null)
            {
                w.WriteStartObject("files");
                foreach (var (k, v) in files) w.WriteString(k, v);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    /// <summary>
    /// Writes <c>"corpora"</c>: per corpus its name, utterance and speaker counts and label counts, and with
    /// <paramref name="license"/> (the model card) its <c>license</c>, null when unknown. Shared with the model card.
    /// </summary>
    public static void WriteCorpora(Utf8JsonWriter w, LabelledCorpus corpus, Func<string, string?>? license)
    {
        w.WriteStartArray("corpora");
        foreach (string c in corpus.Corpora)
        {
            var utts = corpus.Utterances.Where(u => u.Corpus == c).ToArray();
            w.WriteStartObject();
            w.WriteString("name", c);
            w.WriteNumber("utterances", utts.Length);
            w.WriteNumber("speakers", utts.Select(u => u.Speaker).Where(sp => sp is not null).Distinct().Count());
            w.WriteStartObject("labels");
            foreach (var g in utts.GroupBy(u => u.Label).OrderBy(g => g.Key, StringComparer.Ordinal))
                w.WriteNumber(g.Key, g.Count());
            w.WriteEndObject();
            if (license is not null)
            {
                if (license(c) is { } text) w.WriteString("license", text);
                else w.WriteNull("license");
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>Writes the recipe object (shared with the model card).</summary>
    public static void WriteRecipe(Utf8JsonWriter w, Recipe r)
    {
        w.WriteStartObject();
        w.WriteString("model", "model-a");
        w.WriteString("optimizer", r.Optimizer == OptimizerKind.Adam ? "adam" : "rmsprop");
        w.WriteNumber("learning_rate", r.EffectiveLearningRate);
        w.WriteNumber("decay", r.Decay);
        w.WriteString("lr_schedule", r.Schedule == LearningRateSchedule.OneCycle ? "one-cycle" : "constant");
        w.WriteNumber("batch_size", r.BatchSize);
        w.WriteNumber("max_epochs", r.Epochs);
        w.WriteNumber("patience", r.Patience);
        w.WriteNumber("validation_fraction", r.ValidationFraction);
        w.WriteBoolean("standardize", r.Standardize);
        w.WriteBoolean("class_weights", r.ClassWeights);
        w.WriteBoolean("speaker_normalization", r.SpeakerNormalization);
        w.WriteNumber("speaker_prior_weight", r.SpeakerPriorWeight);
        w.WriteBoolean("precise_batchnorm", r.PreciseBatchNorm);
        w.WriteBoolean("refit_on_all", r.RefitOnAll);
        w.WriteNumber("members", r.Members);
        w.WriteNumber("augmentations_per_utterance", r.Augmentations);
        w.WriteString("augmentation", r.Augmentations == 0 ? "none" : r.Augmentation == AugmentationKind.Speed ? "speed" : "seed");
        if (r.Augmentations > 0 && r.Augmentation == AugmentationKind.Speed)
        {
            w.WriteStartArray("speed_factors");
            foreach (double f in r.SpeedFactors) w.WriteNumberValue(f);
            w.WriteEndArray();
        }
        w.WriteBoolean("test_time_speeds", r.TestTimeSpeeds);
        w.WriteString("front_end", r.FrontEnd is { IsActive: true } fe ? fe.ToString() : "none");
        w.WriteBoolean("corpus_balance", r.CorpusBalance);
        w.WriteString("calibration", r.Calibration ? "held-out" : "none");
        if (r.Calibration)
            w.WriteNumber("calibration_fraction", r.CalibrationFraction);
        w.WriteEndObject();
    }

    /// <summary>
    /// One corpus's figures: over the labels it was tested on, with and without speaker profiles, in a single pass,
    /// and over the four-class subset (angry, happy, neutral, sad) of those labels, each prediction then the most
    /// probable of the four.
    /// </summary>
    private static void WriteCorpus(Utf8JsonWriter w, CorpusResult c, IReadOnlyList<string> labels)
    {
        int k = labels.Count;
        w.WriteStartObject();
        w.WriteString("corpus", c.Corpus);
        w.WriteStartArray("labels");
        foreach (int l in c.Labels) w.WriteStringValue(labels[l]);
        w.WriteEndArray();
        w.WriteNumber("n", c.Profile.Actual.Length);
        void Block(string name, ScoredItems? items, int[] subset)
        {
            if (items is null) return;
            w.WritePropertyName(name);
            WriteMetrics(w, SubMatrixMetrics(items.Metrics(k), subset), subset.Select(l => labels[l]).ToArray());
        }
        Block("with_speaker_profile", c.Profile, c.Labels);
        Block("without_speaker_profile", c.WithoutProfile, c.Labels);
        Block("single_pass", c.SinglePass, c.Labels);
        if (c.Uncalibrated is not null)
            WriteNumber(w, "ece_uncalibrated", c.Uncalibrated.Metrics(k).ExpectedCalibrationError);
        var four = CanonicalLabels.FourClass.Select(l => Array.IndexOf(labels.ToArray(), l)).Where(i => i >= 0 && c.Labels.Contains(i)).Order().ToArray();
        if (four.Length >= 2)
        {
            w.WriteStartObject("four_class");
            w.WriteStartArray("labels");
            foreach (int l in four) w.WriteStringValue(labels[l]);
            w.WriteEndArray();
            Block("with_speaker_profile", c.Profile.Restrict(four), four);
            Block("without_speaker_profile", c.WithoutProfile?.Restrict(four), four);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>The confusion matrix of <paramref name="m"/> over <paramref name="subset"/> labels only (rows and columns).</summary>
    internal static Metrics SubMatrix(Metrics m, int[] subset) => SubMatrixMetrics(m, subset);

    private static Metrics SubMatrixMetrics(Metrics m, int[] subset)
    {
        // Rebuild from the counts: every prediction falls in the subset (a fold's model outputs only its labels).
        var actual = new List<int>();
        var predicted = new List<int>();
        for (int a = 0; a < subset.Length; a++)
            for (int p = 0; p < subset.Length; p++)
                for (int n = 0; n < m.Confusion[subset[a]][subset[p]]; n++) { actual.Add(a); predicted.Add(p); }
        return new Metrics(actual, predicted, subset.Length, null) { ExpectedCalibrationErrorOverride = m.ExpectedCalibrationError, MeanConfidenceOverride = m.MeanConfidence };
    }

    private static void WriteMetrics(Utf8JsonWriter w, Metrics m, IReadOnlyList<string> labels)
    {
        w.WriteStartObject();
        w.WriteNumber("n", m.Count);
        WriteNumber(w, "wa", m.WeightedAccuracy);
        WriteNumber(w, "ua", m.UnweightedAccuracy);
        WriteNumber(w, "macro_f1", m.MacroF1);
        if (!double.IsNaN(m.ExpectedCalibrationError))
        {
            WriteNumber(w, "ece", m.ExpectedCalibrationError);
            WriteNumber(w, "mean_confidence", m.MeanConfidence);
        }
        w.WriteStartObject("recall");
        for (int c = 0; c < labels.Count; c++) WriteNumber(w, labels[c], m.Recall[c]);
        w.WriteEndObject();
        w.WriteStartObject("confusion");
        w.WriteStartArray("labels");
        foreach (var l in labels) w.WriteStringValue(l);
        w.WriteEndArray();
        w.WriteStartArray("matrix");
        foreach (var row in m.Confusion)
        {
            w.WriteStartArray();
            foreach (int v in row) w.WriteNumberValue(v);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) w.WriteNumber(name, Math.Round(v, 6));
        else w.WriteNull(name);
    }
}
