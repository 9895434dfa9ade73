using System.Text.Json;
using EmoSer.Trainer.Evaluation;
using EmoSer.Trainer.Features;
using EmoSer.Runtime.IO;

namespace EmoSer.Trainer.Cli;

/// <summary>
/// <c>--dump-features FILE</c>: every utterance's features exactly as the run computed them (front end included), one
/// JSON line each, <c>{"id","corpus","speaker","label","features"}</c>, so reference classifiers
/// (scripts/trainer/baselines.py, loco-baselines.py) are scored on the same features and folds as the model.
/// </summary>
public static class FeatureDump
{
    /// <summary>Writes the file atomically.</summary>
    public static void Write(string path, FeatureStore store)
    {
        using var ms = new MemoryStream();
        var corpus = store.Corpus;
        for (int i = 0; i < corpus.Utterances.Count; i++)
        {
            var u = corpus.Utterances[i];
            using (var w = new Utf8JsonWriter(ms))
            {
                w.WriteStartObject();
                w.WriteString("id", u.Id);
                w.WriteString("corpus", u.Corpus);
                if (u.Speaker is null) w.WriteNull("speaker");
                else w.WriteString("speaker", u.Speaker);
                w.WriteString("label", u.Label);
                w.WriteStartArray("features");
                foreach (float f in store.Get(new TrainingItem(i, 0))) w.WriteNumberValue(f);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            ms.WriteByte((byte)'\n');
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.Write(path, ms.GetBuffer().AsSpan(0, (int)ms.Length));
    }
}
