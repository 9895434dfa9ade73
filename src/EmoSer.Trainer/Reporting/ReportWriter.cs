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
    public static byte[] Build(RunResult run, LabelledCorpus corpus, IFeatureSource features, string command, string? gitCommit, IReadOnlyDictionary<string, string>? files = null)
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
                _ => "No test set: the final model trained on the whole corpus; see the holdout/loso reports for its expected accuracy.",
            });
            w.WriteNumber("wall_seconds", Math.Round(run.Wall.TotalSeconds, 1));
            w.WriteString("created", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"));
            w.WriteString("git_commit", gitCommit);
            w.WriteString("command", command);
            w.WriteNumber("seed", run.Seed);

            w.WriteStartObject("corpus");
            w.WriteString("name", corpus.Name);
            w.WriteString("source", corpus.Source);
            w.WriteNumber("utterances", corpus.Utterances.Count);
            w.WriteNumber("speakers", corpus.Speakers.Count);
            w.WriteStartArray("labels");
            foreach (var l in corpus.Labels) w.WriteStringValue(l);
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject("features");
            w.WriteString("feature_set_id", features.FeatureSetId);
            w.WriteNumber("extractor_version", features.ExtractorVersion);
            w.WriteNumber("sample_rate", features.SampleRate);
            w.WriteString("source", features.GetType().Name);
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
        w.WriteEndObject();
    }

    private static void WriteMetrics(Utf8JsonWriter w, Metrics m, IReadOnlyList<string> labels)
    {
        w.WriteStartObject();
        w.WriteNumber("n", m.Count);
        WriteNumber(w, "wa", m.WeightedAccuracy);
        WriteNumber(w, "ua", m.UnweightedAccuracy);
        WriteNumber(w, "macro_f1", m.MacroF1);
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
