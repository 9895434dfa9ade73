using EmoSer.Runtime.Audio;

namespace EmoSer.Trainer.Corpus;

/// <summary>A corpus laid out as one sub-folder per label holding audio files (WAV, AIFF, FLAC, MP3, ...); no speakers.</summary>
public static class FolderCorpus
{
    /// <summary>Reads every audio file (<see cref="AudioFile.HasAudioExtension"/>, any depth) under each immediate sub-folder; the sub-folder name is the label.</summary>
    public static LabelledCorpus Read(string folder)
    {
        var (name, source, list) = ReadUtterances(folder);
        return new LabelledCorpus(name, source, list);
    }

    /// <summary>The folder's utterances; the corpus name is the folder's name.</summary>
    internal static (string Name, string Source, List<Utterance> Utterances) ReadUtterances(string folder)
    {
        string full = Path.GetFullPath(folder);
        var list = new List<Utterance>();
        string name = Path.GetFileName(full.TrimEnd('/'));
        var dirs = Directory.GetDirectories(full);
        Array.Sort(dirs, StringComparer.Ordinal);
        foreach (string dir in dirs)
        {
            string label = Path.GetFileName(dir);
            var files = Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Where(AudioFile.HasAudioExtension).ToArray();
            Array.Sort(files, StringComparer.Ordinal);
            foreach (string f in files)
                list.Add(new Utterance(Path.GetRelativePath(full, f).Replace('\\', '/'), f, label, null) { Corpus = name, SourceLabel = label });
        }
        if (list.Count == 0)
            throw new CorpusException($"{full}: no label sub-folders with audio files (expected <folder>/<label>/*.wav (or .flac, .aiff, .mp3, ...), an Emo-DB folder or a manifest .csv)");
        list.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return (name, full, list);
    }
}
