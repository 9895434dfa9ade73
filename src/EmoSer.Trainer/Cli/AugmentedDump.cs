using EmoSer.Runtime.Audio;
using EmoSer.Trainer.Corpus;
using EmoSer.Trainer.Evaluation;

namespace EmoSer.Trainer.Cli;

/// <summary><c>--dump-augmented DIR</c>: writes each augmented copy as DIR/&lt;label&gt;/&lt;utterance&gt;.aug&lt;n&gt;.wav (float32, atomic).</summary>
public static class AugmentedDump
{
    /// <summary>The callback for <see cref="Features.FeatureStore.OnAugmented"/>.</summary>
    public static Action<TrainingItem, float[], int> Writer(string dir, LabelledCorpus corpus) => (item, audio, rate) =>
    {
        var u = corpus.Utterances[item.Source];
        string name = Path.GetFileNameWithoutExtension(u.Id.Replace('/', '_')) + $".aug{item.Copy}.wav";
        string path = Path.Combine(dir, Sanitize(u.Label), name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WavWriter.WriteFile(path, audio, rate, 1, WavSampleFormat.Float32);
    };

    private static string Sanitize(string s) => string.Concat(s.Select(c => Path.GetInvalidFileNameChars().Contains(c) || c == '/' ? '_' : c));
}
