using System.Text.RegularExpressions;

namespace EmoSer.Trainer.Corpus;

/// <summary>
/// Recognises the Berlin Emotional Speech Database (Emo-DB) by its file names, e.g. <c>03a01Fa.wav</c>:
/// speaker = characters 1-2, text = 3-5, emotion = character 6 (W L E A F T N), version = 7.
/// </summary>
public static partial class EmoDbCorpus
{
    /// <summary>Emo-DB's emotion letters (German initials) and their English labels.</summary>
    public static readonly IReadOnlyDictionary<char, string> EmotionByLetter = new Dictionary<char, string>
    {
        ['W'] = "angry", ['L'] = "boredom", ['E'] = "disgust", ['A'] = "fear",
        ['F'] = "happy", ['T'] = "sad", ['N'] = "neutral",
    };

    [GeneratedRegex(@"^(\d\d)([a-z]\d\d)([WLEAFTN])([a-z]?)\.wav$")]
    private static partial Regex FileNamePattern();

    /// <summary>True when <paramref name="fileName"/> is an Emo-DB file name.</summary>
    public static bool IsEmoDbFileName(string fileName) => FileNamePattern().IsMatch(fileName);

    /// <summary>True when the folder directly holds WAV files and every one has an Emo-DB name.</summary>
    public static bool Recognise(string folder)
    {
        var wavs = Directory.GetFiles(folder, "*.wav");
        return wavs.Length > 0 && wavs.All(w => IsEmoDbFileName(System.IO.Path.GetFileName(w)));
    }

    /// <summary>The corpus name of an Emo-DB folder.</summary>
    public const string CorpusName = "Emo-DB";

    /// <summary>Reads an Emo-DB folder (see <see cref="Recognise"/>).</summary>
    public static LabelledCorpus Read(string folder)
    {
        var (name, source, list) = ReadUtterances(folder);
        return new LabelledCorpus(name, source, list);
    }

    /// <summary>The folder's utterances (see <see cref="Recognise"/>).</summary>
    internal static (string Name, string Source, List<Utterance> Utterances) ReadUtterances(string folder)
    {
        string full = System.IO.Path.GetFullPath(folder);
        var files = Directory.GetFiles(full, "*.wav");
        Array.Sort(files, StringComparer.Ordinal);
        var list = new List<Utterance>(files.Length);
        foreach (string f in files)
        {
            string name = System.IO.Path.GetFileName(f);
            var m = FileNamePattern().Match(name);
            if (!m.Success)
                throw new CorpusException($"{f}: not an Emo-DB file name (expected e.g. 03a01Fa.wav)");
            string label = EmotionByLetter[m.Groups[3].Value[0]];
            list.Add(new Utterance(name, f, label, m.Groups[1].Value) { Corpus = CorpusName, SourceLabel = label });
        }
        return (CorpusName, full, list);
    }
}
