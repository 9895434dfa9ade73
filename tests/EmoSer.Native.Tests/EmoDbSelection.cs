using EmoSer.Tests.Shared;

namespace EmoSer.Native.Tests;

/// <summary>Deterministic choices of Emo-DB files for the C tests.</summary>
internal static class EmoDbSelection
{
    /// <summary>The first file (by name) of each of the seven emotions: letter 6 of the name.</summary>
    public static string[] OnePerEmotion() =>
        TestData.EmoDbFiles().GroupBy(f => Path.GetFileName(f)[5]).Select(g => g.First()).OrderBy(f => f, StringComparer.Ordinal).ToArray();

    /// <summary>The first <paramref name="count"/> files by name.</summary>
    public static string[] First(int count) => TestData.EmoDbFiles().Take(count).ToArray();
}
