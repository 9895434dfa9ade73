namespace EmoSer.Trainer.Corpus;

/// <summary>Opens whatever <c>--data</c> names: a manifest .csv, an Emo-DB folder, or a folder per label.</summary>
public static class CorpusLoader
{
    /// <summary>Loads and validates the corpus; every problem is a <see cref="CorpusException"/> naming the file.</summary>
    public static LabelledCorpus Load(string data)
    {
        if (File.Exists(data))
            return ManifestReader.Read(data);
        if (!Directory.Exists(data))
            throw new CorpusException($"{data}: no such file or folder");
        return EmoDbCorpus.Recognise(data) ? EmoDbCorpus.Read(data) : FolderCorpus.Read(data);
    }
}
