using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Serve.Tests;

/// <summary>
/// The shipped model's network with speaker normalization (weights normalization 2) added, built once per test run:
/// μ and σ from ten Emo-DB utterances of speakers 08 and 09, the model's own standardization set to the identity
/// (after the speaker standardization the features are already about N(0, 1)). Needs the corpus and the shipped weights.
/// </summary>
internal static class SpeakerServeModel
{
    private static readonly Lazy<byte[]> s_weights = new(() => Create(speaker: true));
    private static readonly Lazy<byte[]> s_plain = new(() => Create(speaker: false));

    /// <summary>The weights file image (skips without Emo-DB or the shipped model).</summary>
    public static byte[] Weights()
    {
        TestData.RequireEmoDb();
        RealModel.Weights();
        return s_weights.Value;
    }

    /// <summary>The same network and features without speaker normalization.</summary>
    public static byte[] PlainWeights()
    {
        TestData.RequireEmoDb();
        RealModel.Weights();
        return s_plain.Value;
    }

    /// <summary>Emo-DB files of one speaker (two-digit id), sorted by name.</summary>
    public static string[] SpeakerFiles(string speaker) => SpeakerTestStatistics.SpeakerFiles(speaker);

    private static byte[] Create(bool speaker)
    {
        var plain = ModelFileReader.Read(RealModel.Path);
        int n = SeedFeatureExtractor.FeatureCount;
        var population = SpeakerTestStatistics.Population(4, 5, "08", "09");
        return ModelFileWriter.Serialize(new ModelDefinition
        {
            Name = speaker ? "serve-speaker-model" : "serve-plain-model",
            SampleRate = plain.SampleRate,
            FeatureSetId = plain.FeatureSetId,
            ExtractorVersion = plain.ExtractorVersion,
            InputLength = plain.InputLength,
            Labels = plain.Labels,
            InputMean = new float[n],
            InputStd = [.. Enumerable.Repeat(1f, n)],
            Speaker = speaker ? population : null,
            ModelCardJson = plain.ModelCardJson,
            Members = plain.Members,
        });
    }
}
