namespace EmoSer.Tests.Shared;

/// <summary>
/// Locates the repository, the committed fixtures and the external corpus/golden data.
/// Tests that need the corpus call <see cref="RequireEmoDb"/>, which skips them with a clear
/// message when it is absent (a user's clone has no ../shared; CI always has it).
/// </summary>
public static class TestData
{
    private static readonly Lazy<string> s_repoRoot = new(FindRepoRoot);

    /// <summary>The directory holding EmoSer.sln.</summary>
    public static string RepoRoot => s_repoRoot.Value;

    /// <summary>tests/fixtures: small files committed with the repository.</summary>
    public static string Fixtures => Path.Combine(RepoRoot, "tests", "fixtures");

    /// <summary>The shipped default model (multi-corpus, canonical labels, front end): what <c>emoser</c> and <c>libemoser</c> embed as "default".</summary>
    public static string DefaultModelPath => Path.Combine(RepoRoot, "weights", "multicorpus", "model.emow");

    /// <summary>The Emo-DB Model A (<c>--model emodb</c>).</summary>
    public static string EmoDbModelPath => Path.Combine(RepoRoot, "weights", "model-a.emow");

    /// <summary>Emo-DB wav folder: $EMOSER_EMODB, else ../shared/data/emodb/wav beside the repository.</summary>
    public static string EmoDbDir =>
        Environment.GetEnvironmentVariable("EMOSER_EMODB") is { Length: > 0 } p
            ? Path.GetFullPath(p)
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data", "emodb", "wav"));

    /// <summary>librosa golden values: $EMOSER_GOLDEN, else ../shared/golden beside the repository.</summary>
    public static string GoldenDir =>
        Environment.GetEnvironmentVariable("EMOSER_GOLDEN") is { Length: > 0 } p
            ? Path.GetFullPath(p)
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "golden"));

    /// <summary>openSMILE eGeMAPSv02 golden values: $EMOSER_OPENSMILE_GOLDEN, else opensmile-egemaps in <see cref="GoldenDir"/>.</summary>
    public static string OpenSmileGoldenDir =>
        Environment.GetEnvironmentVariable("EMOSER_OPENSMILE_GOLDEN") is { Length: > 0 } p
            ? Path.GetFullPath(p)
            : Path.Combine(GoldenDir, "opensmile-egemaps");

    /// <summary>The corpora the openSMILE golden files refer to: $EMOSER_DATA, else ../shared/data beside the repository.</summary>
    public static string DataDir =>
        Environment.GetEnvironmentVariable("EMOSER_DATA") is { Length: > 0 } p
            ? Path.GetFullPath(p)
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));

    /// <summary>Skips the calling test unless the openSMILE golden folder and the corpora exist; returns the golden folder.</summary>
    public static string RequireOpenSmileGolden()
    {
        string dir = OpenSmileGoldenDir;
        if (!File.Exists(Path.Combine(dir, "emodb-egemaps-functionals.csv")))
            Assert.Skip($"SKIPPED: openSMILE eGeMAPS golden files not found at {dir} (set EMOSER_OPENSMILE_GOLDEN to that folder).");
        if (!Directory.Exists(Path.Combine(DataDir, "emodb", "wav")) || !Directory.Exists(Path.Combine(DataDir, "ravdess", "wav")))
            Assert.Skip($"SKIPPED: corpora not found at {DataDir} (set EMOSER_DATA to the folder holding emodb/wav and ravdess/wav).");
        return dir;
    }

    /// <summary>True when the Emo-DB folder exists and holds WAV files.</summary>
    public static bool HasEmoDb => Directory.Exists(EmoDbDir) && Directory.EnumerateFiles(EmoDbDir, "*.wav").Any();

    /// <summary>Skips the calling test unless the Emo-DB corpus is present; returns its folder.</summary>
    public static string RequireEmoDb()
    {
        if (!HasEmoDb)
            Assert.Skip($"SKIPPED: Emo-DB corpus not found at {EmoDbDir} (set EMOSER_EMODB to its wav folder).");
        return EmoDbDir;
    }

    /// <summary>Skips the calling test unless the golden librosa file exists; returns its path.</summary>
    public static string RequireGolden(string fileName)
    {
        string path = Path.Combine(GoldenDir, fileName);
        if (!File.Exists(path))
            Assert.Skip($"SKIPPED: golden file {path} not found (set EMOSER_GOLDEN to the golden folder).");
        return path;
    }

    /// <summary>All Emo-DB wav files, sorted by name (ordinal).</summary>
    public static string[] EmoDbFiles()
    {
        var files = Directory.GetFiles(RequireEmoDb(), "*.wav");
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EmoSer.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"EmoSer.sln not found above {AppContext.BaseDirectory}");
    }
}
