using EmoSer.Runtime.Audio;

namespace EmoSer.Serve;

/// <summary>
/// The audio files of the <c>--data</c> folder (<see cref="AudioFile.HasAudioExtension"/>) in ordinal name order, so an ID means the same file on every
/// machine and every run (the seed used os.listdir order, which is not stable). Emo-DB names carry the
/// speaker (letters 1-2) and the emotion (letter 6); other names give no true label.
/// </summary>
internal sealed class DatasetIndex
{
    private static readonly Dictionary<char, string> s_emoDbEmotions = new()
    {
        ['W'] = "angry", ['L'] = "boredom", ['E'] = "disgust", ['A'] = "fear",
        ['F'] = "happy", ['T'] = "sad", ['N'] = "neutral",
    };

    private DatasetIndex(string? directory, IReadOnlyList<DatasetEntry> entries)
    {
        Directory = directory;
        Entries = entries;
    }

    /// <summary>The folder, or null when the server has no dataset.</summary>
    public string? Directory { get; }

    /// <summary>The files, index = ID.</summary>
    public IReadOnlyList<DatasetEntry> Entries { get; }

    /// <summary>An index with no files (no <c>--data</c>).</summary>
    public static DatasetIndex Empty { get; } = new(null, []);

    /// <summary>Lists <paramref name="directory"/>'s audio files (not recursive).</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static DatasetIndex Open(string directory)
    {
        string full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
            throw new DirectoryNotFoundException($"{directory}: dataset folder not found");
        string[] names = System.IO.Directory.GetFiles(full).Where(AudioFile.HasAudioExtension).Select(Path.GetFileName).OfType<string>().ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        var entries = new DatasetEntry[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            var (emotion, speaker) = ParseEmoDbName(names[i]);
            entries[i] = new DatasetEntry(i, names[i], emotion, speaker);
        }
        return new DatasetIndex(full, entries);
    }

    /// <summary>Full path of entry <paramref name="id"/>.</summary>
    public string PathOf(int id) => Path.Combine(Directory!, Entries[id].File);

    /// <summary>Emotion and speaker from an Emo-DB file name such as 03a01Fa.wav; nulls otherwise.</summary>
    public static (string? Emotion, string? Speaker) ParseEmoDbName(string fileName)
    {
        // Emo-DB: 2 digits speaker, letter + 2 digits text, emotion letter, version letter, ".wav".
        if (fileName.Length == 11 && fileName.EndsWith(".wav", StringComparison.OrdinalIgnoreCase)
            && char.IsAsciiDigit(fileName[0]) && char.IsAsciiDigit(fileName[1]) && char.IsAsciiLetterLower(fileName[2])
            && char.IsAsciiDigit(fileName[3]) && char.IsAsciiDigit(fileName[4]) && char.IsAsciiLetterLower(fileName[6])
            && s_emoDbEmotions.TryGetValue(fileName[5], out string? emotion))
            return (emotion, fileName[..2]);
        return (null, null);
    }
}
