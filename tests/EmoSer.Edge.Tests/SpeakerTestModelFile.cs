using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Edge.Tests;

/// <summary>
/// <see cref="TestModelFile"/>'s random network with speaker normalization (normalization 2), written once per test
/// run. The population statistics come from Emo-DB speakers 08 and 09, so the corpus is needed: call
/// <see cref="TestData.RequireEmoDb"/> first.
/// </summary>
internal static class SpeakerTestModelFile
{
    private static readonly Lazy<string> s_path = new(Create);

    public static string Path => s_path.Value;

    /// <summary>Emo-DB files of one speaker (two-digit id), sorted by name.</summary>
    public static string[] SpeakerFiles(string speaker) => SpeakerTestStatistics.SpeakerFiles(speaker);

    private static string Create()
    {
        var plain = ModelFileReader.Read(TestModelFile.Path);
        int n = SeedFeatureExtractor.FeatureCount;
        var population = SpeakerTestStatistics.Population(2, 5, "08", "09");
        var definition = new ModelDefinition
        {
            Name = "edge-speaker-model",
            SampleRate = plain.SampleRate,
            FeatureSetId = plain.FeatureSetId,
            ExtractorVersion = plain.ExtractorVersion,
            InputLength = plain.InputLength,
            Labels = plain.Labels,
            // After the speaker standardization the features are already about N(0, 1).
            InputMean = new float[n],
            InputStd = [.. Enumerable.Repeat(1f, n)],
            Speaker = population,
            ModelCardJson = plain.ModelCardJson,
            Members = plain.Members,
        };
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"emoser-edge-speaker-model-{Environment.ProcessId}.emow");
        ModelFileWriter.Write(definition, path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    }
}
