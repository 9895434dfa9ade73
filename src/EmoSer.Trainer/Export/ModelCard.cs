using System.Text.Json;
using EmoSer.Trainer.Corpus;
using EmoSer.Trainer.Evaluation;
using EmoSer.Trainer.Features;
using EmoSer.Trainer.Reporting;

namespace EmoSer.Trainer.Export;

/// <summary>The model card JSON stored in the weights file and beside it (docs/weights-format.md, "Model card").</summary>
public static class ModelCard
{
    /// <summary>
    /// Builds the card of a final model. Metrics are copied from report-loso.json / report-holdout.json found in
    /// <paramref name="reportsDir"/> when they exist, so the card carries the figures that justify the recipe.
    /// </summary>
    public static byte[] Build(RunResult run, LabelledCorpus corpus, IFeatureSource features, string? gitCommit, string reportsDir, Cli.FitOptions? options = null)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("name", options?.ModelName ?? "model-a");
            w.WriteString("created", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"));
            w.WriteString("git_commit", gitCommit);
            w.WriteString("license", options?.WeightsLicence ?? ModelLicense.For(corpus.Name));
            w.WriteString("architecture", "Model A (Issa et al. 2020): Conv1D(256,5)-BN-ReLU-Conv1D(128,5)-ReLU-Dropout(0.1)-MaxPool(8)-Conv1D(128,5)-BN-ReLU-Dropout(0.2)-Flatten-Dense-Softmax");
            w.WriteStartObject("training_data");
            w.WriteString("corpus", corpus.Name);
            w.WriteNumber("utterances", corpus.Utterances.Count);
            w.WriteNumber("speakers", corpus.Speakers.Count);
            w.WriteStartArray("labels");
            foreach (var l in corpus.Labels) w.WriteStringValue(l);
            w.WriteEndArray();
            w.WriteString("feature_set_id", features.FeatureSetId);
            w.WriteNumber("extractor_version", features.ExtractorVersion);
            w.WriteString("feature_source", features.GetType().Name);
            w.WriteNumber("sample_rate", features.SampleRate);
            w.WriteString("front_end", (features as CachedExtractorSource)?.FrontEnd?.ToString() ?? "none");
            // Each corpus with its licence: the weights' licence follows from them.
            ReportWriter.WriteCorpora(w, corpus, c => options?.Licences.TryGetValue(c, out var given) == true ? given : ModelLicense.ForCorpus(c));
            w.WriteEndObject();
            w.WriteNumber("temperature", run.Folds[0].Temperature);
            w.WritePropertyName("recipe");
            ReportWriter.WriteRecipe(w, run.Recipe);
            w.WriteStartArray("selected_epochs");
            foreach (int e in run.Folds[0].SelectedEpochs) w.WriteNumberValue(e);
            w.WriteEndArray();
            w.WriteNumber("seed", run.Seed);
            w.WriteStartObject("metrics");
            foreach (string protocol in new[] { "loco", "loso", "holdout" })
            {
                string path = Path.Combine(reportsDir, $"report-{protocol}.json");
                if (!File.Exists(path)) continue;
                using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
                var root = doc.RootElement;
                w.WriteStartObject(protocol);
                foreach (string key in new[] { "wa", "ua", "macro_f1", "wall_seconds" })
                    if (root.TryGetProperty(key, out var v)) { w.WritePropertyName(key); v.WriteTo(w); }
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return ms.ToArray();
    }
}
