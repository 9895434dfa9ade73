using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Tests.Model;

namespace EmoSer.Runtime.Tests.Classification;

/// <summary>
/// A random Model A on the seed features, standardized with statistics of generated speech-like signals so that
/// its probabilities are neither constant nor saturated; plus the signal generators the tests share.
/// </summary>
internal static class ClassifierFixture
{
    private static readonly Lazy<EmotionModel> s_model = new(Create);

    public static EmotionModel Model => s_model.Value;

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

    private static EmotionModel Create()
    {
        var extractor = new SeedFeatureExtractor(16000);
        var rows = new List<float[]>();
        for (int s = 0; s < 8; s++)
            rows.Add(extractor.Extract(Voice(16000, 1.5, 90 + (40 * s), s)));
        int n = SeedFeatureExtractor.FeatureCount;
        var mean = new float[n];
        var std = new float[n];
        for (int i = 0; i < n; i++)
        {
            double m = rows.Average(r => (double)r[i]);
            mean[i] = (float)m;
            std[i] = (float)Math.Max(0.05 * Math.Abs(m) + 1e-3, Math.Sqrt(rows.Average(r => (r[i] - m) * (r[i] - m))));
        }
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
