using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;

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
    public static string[] SpeakerFiles(string speaker) =>
        [.. TestData.EmoDbFiles().Where(f => System.IO.Path.GetFileName(f).StartsWith(speaker, StringComparison.Ordinal))];

    private static string Create()
    {
        var plain = ModelFileReader.Read(TestModelFile.Path);
        var extractor = new SeedFeatureExtractor(16000);
        var rows = SpeakerFiles("08").Take(5).Concat(SpeakerFiles("09").Take(5))
            .Select(f => extractor.Extract(WavReader.ReadFile(f).ToMono())).ToArray();
        int n = SeedFeatureExtractor.FeatureCount;
        var mu = new float[n];
        var sigma = new float[n];
        for (int i = 0; i < n; i++)
        {
            double m = rows.Average(r => (double)r[i]);
            mu[i] = (float)m;
            sigma[i] = (float)Math.Max(0.05 * Math.Abs(m) + 1e-3, Math.Sqrt(rows.Average(r => (r[i] - m) * (r[i] - m))));
        }
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
            Speaker = new SpeakerNormalization(2, mu, sigma),
            ModelCardJson = plain.ModelCardJson,
            Members = plain.Members,
        };
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"emoser-edge-speaker-model-{Environment.ProcessId}.emow");
        ModelFileWriter.Write(definition, path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    }
}
