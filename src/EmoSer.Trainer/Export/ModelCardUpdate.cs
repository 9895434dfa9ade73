using System.Text.Json;
using System.Text.Json.Nodes;
using EmoSer.Runtime.Model;
using EmoSer.Trainer.Reporting;
using EmoSer.Runtime.IO;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Trainer.Export;

/// <summary>
/// <c>emoser-train card</c>: puts the WA/UA of report-loso.json and report-holdout.json into an existing weights file's
/// model card (and the model-card.json beside it), for a final model trained before or alongside its evaluation runs;
/// and its <c>license</c>: <paramref name="license"/> when given, else the card's own, else that of its training corpus
/// (<see cref="ModelLicense"/>).
/// </summary>
public static class ModelCardUpdate
{
    /// <summary>Rewrites <paramref name="weightsPath"/> (atomically) with the metrics of the reports in <paramref name="reportsDir"/>.</summary>
    public static JsonObject Run(string weightsPath, string reportsDir, string? license = null)
    {
        var definition = ModelFileReader.Read(weightsPath);
        var card = (definition.ModelCardJson is { } json ? JsonNode.Parse(json) as JsonObject : null) ?? new JsonObject();
        if (license is not null || card["license"] is null)
        {
            string corpus = (card["training_data"] as JsonObject)?["corpus"]?.GetValue<string>() ?? "unknown";
            // Placed after "name" and "created", where a new card has it.
            var ordered = new JsonObject();
            foreach (var (key, value) in card.ToList())
            {
                card.Remove(key);
                if (key == "license")
                    continue;
                ordered[key] = value;
                if (key == "git_commit")
                    ordered["license"] = license ?? ModelLicense.For(corpus);
            }
            ordered["license"] ??= license ?? ModelLicense.For(corpus);
            card = ordered;
        }
        var metrics = new JsonObject();
        foreach (string protocol in new[] { "loco", "loso", "holdout", "seed" })
        {
            string path = Path.Combine(reportsDir, $"report-{protocol}.json");
            if (!File.Exists(path)) continue;
            var report = JsonNode.Parse(File.ReadAllBytes(path))!.AsObject();
            var m = new JsonObject();
            foreach (string key in new[] { "wa", "ua", "macro_f1", "wall_seconds", "leaky", "command" })
                if (report[key] is { } v) m[key] = v.DeepClone();
            if (report["recipe"] is { } r) m["recipe"] = r.DeepClone();
            // With speaker normalization: the lone-file figure and the enrollment curve, so the card says what to expect without a profile.
            if (report["pooled_without_speaker_profile"] is JsonObject lone)
                m["without_speaker_profile"] = new JsonObject { ["wa"] = lone["wa"]?.DeepClone(), ["ua"] = lone["ua"]?.DeepClone() };
            if (report["pooled_single_pass"] is JsonObject alone)
                m["single_pass"] = new JsonObject { ["wa"] = alone["wa"]?.DeepClone(), ["ua"] = alone["ua"]?.DeepClone() };
            if (report["pooled_by_enrollment"] is { } curve) m["by_enrollment"] = curve.DeepClone();
            if (report["ece"] is { } ece) m["ece"] = ece.DeepClone();
            // Several corpora: each corpus's figures, with and without a speaker profile, all labels and four.
            if (report["by_corpus"] is JsonArray byCorpus)
            {
                var corpora = new JsonArray();
                foreach (var c in byCorpus.OfType<JsonObject>())
                {
                    var entry = new JsonObject { ["corpus"] = c["corpus"]?.DeepClone(), ["labels"] = c["labels"]?.DeepClone() };
                    foreach (string cond in new[] { "with_speaker_profile", "without_speaker_profile" })
                    {
                        if (c[cond] is JsonObject mm)
                            entry[cond] = new JsonObject { ["wa"] = mm["wa"]?.DeepClone(), ["ua"] = mm["ua"]?.DeepClone(), ["ece"] = mm["ece"]?.DeepClone() };
                        if (c["four_class"]?[cond] is JsonObject four)
                            entry["four_class_" + cond] = new JsonObject { ["wa"] = four["wa"]?.DeepClone(), ["ua"] = four["ua"]?.DeepClone() };
                    }
                    corpora.Add(entry);
                }
                m["by_corpus"] = corpora;
            }
            metrics[protocol] = m;
        }
        card["metrics"] = metrics;
        string text = card.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        var updated = new ModelDefinition
        {
            Kind = definition.Kind, Name = definition.Name, SampleRate = definition.SampleRate, FeatureSetId = definition.FeatureSetId,
            ExtractorVersion = definition.ExtractorVersion, InputLength = definition.InputLength, InputChannels = definition.InputChannels,
            Labels = definition.Labels, InputMean = definition.InputMean, InputStd = definition.InputStd, Speaker = definition.Speaker,
            ModelCardJson = text, Members = definition.Members, TestTimeSpeedFactors = definition.TestTimeSpeedFactors,
            FrontEnd = definition.FrontEnd, Temperature = definition.Temperature,
        };
        ModelFileWriter.Write(updated, weightsPath);
        AtomicFile.Write(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(weightsPath))!, "model-card.json"), System.Text.Encoding.UTF8.GetBytes(text + "\n"));
        return card;
    }
}
