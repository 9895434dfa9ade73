using System.Text.Json;

namespace EmoSer.Native.Tests;

/// <summary>One line of <c>classify --json</c> (examples/c/classify.c).</summary>
internal sealed record ClassifyLine(string File, string Emotion, float Confidence, string[] Labels, float[] Probabilities)
{
    public static ClassifyLine[] ParseAll(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse).ToArray();

    public static ClassifyLine Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        JsonElement root = doc.RootElement;
        var probs = root.GetProperty("probabilities").EnumerateObject().ToArray();
        return new ClassifyLine(
            root.GetProperty("file").GetString()!,
            root.GetProperty("emotion").GetString()!,
            root.GetProperty("confidence").GetSingle(),
            probs.Select(p => p.Name).ToArray(),
            probs.Select(p => p.Value.GetSingle()).ToArray());
    }
}
