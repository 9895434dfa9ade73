using System.Text.Json;
using EmoSer.Runtime.Audio;
using EmoSer.Tests.Shared;

namespace EmoSer.Runtime.Tests.Features;

/// <summary>Reads the librosa golden files the chroma-family tests compare with.</summary>
internal static class ChromaGolden
{
    public const int ChromaStart = 50, ChromaEnd = 130;
    public const int ContrastStart = 180, ContrastEnd = 187;
    public const int TonnetzStart = 187, TonnetzEnd = 193;

    /// <summary>{file name: 193 values} of a *-librosa-193.json file.</summary>
    public static Dictionary<string, double[]> Features(string goldenName)
    {
        string path = TestData.RequireGolden(goldenName);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var result = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.GetProperty("features").EnumerateObject())
            result[p.Name] = [.. p.Value.EnumerateArray().Select(e => e.GetDouble())];
        return result;
    }

    /// <summary>One file's entry of librosa-stages.json.</summary>
    public static JsonElement Stage(string name)
    {
        string path = TestData.RequireGolden("librosa-stages.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        if (!doc.RootElement.GetProperty("files").TryGetProperty(name, out var entry))
            Assert.Fail($"{name} missing from {path}");
        return entry.Clone();
    }

    /// <summary>A signal of golden/signals or an Emo-DB file, as librosa.load(sr=None) gives it (mono).</summary>
    public static (float[] Mono, int SampleRate) Load(string name)
    {
        string signal = Path.Combine(TestData.GoldenDir, "signals", name);
        string path = File.Exists(signal) ? signal : Path.Combine(TestData.RequireEmoDb(), name);
        var clip = WavReader.ReadFile(path);
        return (clip.ToMono(), clip.SampleRate);
    }

    public static double[] Doubles(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetDouble())];
}
