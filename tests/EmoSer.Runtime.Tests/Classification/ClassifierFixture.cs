using EmoSer.Runtime.Audio;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Tests.Model;
using EmoSer.Tests.Shared;
using EmoSer.Runtime.ModelFile;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Runtime.Tests.Classification;

/// <summary>
/// A random Model A on the seed features, standardized with statistics of generated speech-like signals so that
/// its probabilities are neither constant nor saturated; plus the signal generators the tests share.
/// </summary>
internal static class ClassifierFixture
{
    private static readonly Lazy<EmotionModel> s_model = new(Create);
    private static readonly Lazy<EmotionModel> s_speakerModel = new(CreateSpeakerModel);

    public static EmotionModel Model => s_model.Value;

    /// <summary>
    /// A random Model A with speaker normalization whose population statistics come from Emo-DB speakers 08..13
    /// (six files each), so real speech lands in its working range. Needs the corpus: call
    /// <see cref="TestData.RequireEmoDb"/> first.
    /// </summary>
    public static EmotionModel SpeakerModel => s_speakerModel.Value;

    /// <summary>Emo-DB files of one speaker (two-digit id), sorted by name.</summary>
    public static string[] SpeakerFiles(string speaker) =>
        [.. TestData.EmoDbFiles().Where(f => Path.GetFileName(f).StartsWith(speaker, StringComparison.Ordinal))];

    /// <summary>A harmonic tone with vibrato and a syllable-rate envelope, plus a little noise.</summary>
    public static float[] Voice(int sampleRate, double seconds, double f0, int seed)
    {
        var rng = new Random(seed);
        var x = new float[(int)(seconds * sampleRate)];
        double phase = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double t = (double)i / sampleRate;
            double f = f0 * (1 + (0.05 * Math.Sin(2 * Math.PI * 5 * t)));
            phase += 2 * Math.PI * f / sampleRate;
            double env = 0.5 + (0.5 * Math.Sin(2 * Math.PI * 3.3 * t));
            double v = 0;
            for (int h = 1; h <= 6; h++)
                v += Math.Sin(h * phase) / h;
            x[i] = (float)((0.2 * env * v) + (0.01 * ((rng.NextDouble() * 2) - 1)));
        }
        return x;
    }

    private static EmotionModel CreateSpeakerModel()
    {
        var extractor = new SeedFeatureExtractor(16000);
        int n = SeedFeatureExtractor.FeatureCount;
        var means = new List<double[]>();
        var variances = new List<double[]>();
        foreach (string speaker in new[] { "08", "09", "10", "11", "12", "13" })
        {
            var rows = SpeakerFiles(speaker).Take(6).Select(f => extractor.Extract(WavReader.ReadFile(f).ToMono())).ToArray();
            var m = new double[n];
            var v = new double[n];
            for (int i = 0; i < n; i++)
            {
                m[i] = rows.Average(r => (double)r[i]);
                v[i] = rows.Average(r => (r[i] - m[i]) * (r[i] - m[i]));
            }
            means.Add(m);
            variances.Add(v);
        }
        var mu = new float[n];
        var sigma = new float[n];
        for (int i = 0; i < n; i++)
        {
            mu[i] = (float)means.Average(m => m[i]);
            sigma[i] = (float)Math.Max(0.05 * Math.Abs(mu[i]) + 1e-3, Math.Sqrt(variances.Average(v => v[i])));
        }
        var rng = new Random(23);
        var def = new ModelDefinition
        {
            Name = "test-speaker-model",
            SampleRate = 16000,
            FeatureSetId = SeedFeatureExtractor.FeatureSetId,
            ExtractorVersion = SeedFeatureExtractor.Version,
            InputLength = n,
            Labels = TestModels.EmoDbLabels,
            // After the speaker standardization the features are already about N(0, 1).
            InputMean = new float[n],
            InputStd = [.. Enumerable.Repeat(1f, n)],
            Speaker = new SpeakerNormalization(2, mu, sigma),
            Members = [new NetworkDefinition(TestModels.ModelALayers(rng, n, 7))],
        };
        return EmotionModel.FromDefinition(def);
    }

    private static EmotionModel Create()
    {
        var extractor = new SeedFeatureExtractor(16000);
        var rows = new List<float[]>();
        for (int s = 0; s < 8; s++)
            rows.Add(extractor.Extract(Voice(16000, 1.5, 90 + (40 * s), s)));
        int n = SeedFeatureExtractor.FeatureCount;
        var (mean, std) = SpeakerTestStatistics.ColumnStatistics(rows);
        var rng = new Random(17);
        var def = new ModelDefinition
        {
            Name = "test-model-a",
            SampleRate = 16000,
            FeatureSetId = SeedFeatureExtractor.FeatureSetId,
            ExtractorVersion = SeedFeatureExtractor.Version,
            InputLength = n,
            Labels = TestModels.EmoDbLabels,
            InputMean = mean,
            InputStd = std,
            Members = [new NetworkDefinition(TestModels.ModelALayers(rng, n, 7))],
        };
        return EmotionModel.FromDefinition(def);
    }
}
