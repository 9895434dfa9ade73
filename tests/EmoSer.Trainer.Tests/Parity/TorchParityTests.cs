using System.Text.Json;
using EmoSer.Runtime.Model;
using EmoSer.Tests.Shared;
using static TorchSharp.torch;
using EmoSer.Runtime.ModelFile;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Trainer.Tests.Parity;

/// <summary>
/// The runtime's forward (EmotionModel.Predict, our SIMD kernels) against TorchSharp's functional forward on the
/// same weights file, over the librosa feature vectors of all 535 Emo-DB utterances. The golden features are the
/// inputs so the comparison does not depend on our extractor.
/// </summary>
[Trait("Category", "golden")]
public class TorchParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    private static (string[] Files, float[][] Features) GoldenFeatures()
    {
        string path = TestData.RequireGolden("emodb-librosa-193.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var files = new List<string>();
        var features = new List<float[]>();
        foreach (var entry in doc.RootElement.GetProperty("features").EnumerateObject())
        {
            files.Add(entry.Name);
            features.Add(entry.Value.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray());
        }
        return (files.ToArray(), features.ToArray());
    }

    /// <summary>Model A (Conv256-BN-ReLU-Conv128-ReLU-Drop-Pool8-Conv128-BN-ReLU-Drop-Flatten-Dense7-Softmax), Glorot-like random weights.</summary>
    private static ModelDefinition RandomModelA(float[][] features, int seed)
    {
        var rng = new Random(seed);
        float[] Rand(int n, double scale, double offset = 0) =>
            Enumerable.Range(0, n).Select(_ => (float)(offset + (scale * ((rng.NextDouble() * 2) - 1)))).ToArray();
        LayerDefinition Conv(int inC, int outC) => LayerDefinition.Conv1D(Rand(outC * inC * 5, Math.Sqrt(6.0 / ((inC + outC) * 5))), Rand(outC, 0.05), inC, outC, 5);
        LayerDefinition Bn(int c) => LayerDefinition.BatchNorm(Rand(c, 0.3, 1), Rand(c, 0.1), Rand(c, 0.2), Rand(c, 0.4, 1), 1e-3f);
        // Standardization fitted on the corpus, as the trainer's default recipe does, so activations are realistic.
        int n = features[0].Length;
        var mean = new float[n];
        var std = new float[n];
        for (int i = 0; i < n; i++)
        {
            double m = features.Average(f => (double)f[i]);
            mean[i] = (float)m;
            std[i] = (float)Math.Max(1e-6, Math.Sqrt(features.Average(f => (f[i] - m) * (f[i] - m))));
        }
        return new ModelDefinition
        {
            Name = "model-a-random",
            SampleRate = 16000,
            FeatureSetId = "librosa-seed-193",
            ExtractorVersion = 1,
            InputLength = n,
            Labels = ["angry", "boredom", "disgust", "fear", "happy", "sad", "neutral"],
            InputMean = mean,
            InputStd = std,
            ModelCardJson = "{\"name\":\"model-a-random\"}",
            Members =
            [
                new NetworkDefinition(
                [
                    Conv(1, 256), Bn(256), LayerDefinition.ReLU(),
                    Conv(256, 128), LayerDefinition.ReLU(), LayerDefinition.Dropout(0.1f),
                    LayerDefinition.MaxPool1D(8, 8),
                    Conv(128, 128), Bn(128), LayerDefinition.ReLU(), LayerDefinition.Dropout(0.2f),
                    LayerDefinition.Flatten(),
                    LayerDefinition.Dense(Rand(7 * 3072, Math.Sqrt(6.0 / 3079) * 4), Rand(7, 0.1), 3072, 7),
                    LayerDefinition.Softmax(),
                ]),
            ],
        };
    }

    private double MaxAbsDifference(string weightsPath, float[][] features)
    {
        var model = EmotionModel.Load(weightsPath);
        using var torchModel = new TorchReferenceForward(ModelFileReader.Read(weightsPath));
        int n = features.Length, width = features[0].Length;
        var flat = new float[n * width];
        for (int i = 0; i < n; i++)
            features[i].CopyTo(flat, i * width);
        using var input = tensor(flat).reshape(n, width);
        using var probs = torchModel.Forward(input);
        var expected = probs.data<float>().ToArray();

        var ws = model.CreateWorkspace();
        var actual = new float[model.Labels.Count];
        double worst = 0, spread = 0;
        for (int i = 0; i < n; i++)
        {
            model.Predict(features[i], actual, ws);
            for (int c = 0; c < actual.Length; c++)
            {
                double e = expected[(i * actual.Length) + c];
                worst = Math.Max(worst, Math.Abs(e - actual[c]));
                spread = Math.Max(spread, Math.Abs(e - (1.0 / actual.Length)));
            }
        }
        // A saturated or constant output would make the comparison meaningless.
        Assert.InRange(spread, 0.05, 1.0);
        output.WriteLine($"{Path.GetFileName(weightsPath)}: max |p_torch - p_emoser| over {n} files x {model.Labels.Count} labels = {worst:E3} (kernels {Environment.GetEnvironmentVariable("EMOSER_KERNELS") ?? "default"})");
        return worst;
    }

    [Fact]
    public void Random_Model_A_matches_torch_on_all_EmoDb_features()
    {
        var (files, features) = GoldenFeatures();
        Assert.Equal(535, files.Length);
        string dir = Directory.CreateTempSubdirectory("emoser-parity-").FullName;
        try
        {
            string path = Path.Combine(dir, "model-a-random.emow");
            ModelFileWriter.Write(RandomModelA(features, seed: 2026), path);
            double worst = MaxAbsDifference(path, features);
            Assert.True(worst <= Tolerance, $"max abs difference {worst:E3} > {Tolerance:E0}");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Shipped_model_matches_torch_on_all_EmoDb_features()
    {
        string path = Path.Combine(TestData.RepoRoot, "weights", "model-a.emow");
        if (!File.Exists(path))
            Assert.Skip($"SKIPPED: {path} not present yet (the trainer commits it).");
        var (_, features) = GoldenFeatures();
        double worst = MaxAbsDifference(path, features);
        Assert.True(worst <= Tolerance, $"max abs difference {worst:E3} > {Tolerance:E0}");
    }

    [Fact]
    public void Shipped_model_with_a_speaker_profile_matches_torch()
    {
        string path = Path.Combine(TestData.RepoRoot, "weights", "model-a.emow");
        if (!File.Exists(path))
            Assert.Skip($"SKIPPED: {path} not present yet (the trainer commits it).");
        var definition = ModelFileReader.Read(path);
        Assert.NotNull(definition.Speaker);
        var (files, features) = GoldenFeatures();
        // Speaker 03's utterances, profiled from the first five of them.
        var rows = files.Select((f, i) => (f, i)).Where(t => Path.GetFileName(t.f).StartsWith("03", StringComparison.Ordinal)).Select(t => features[t.i]).ToArray();
        var profile = new SpeakerProfile(rows[0].Length);
        foreach (var r in rows.Take(5)) profile.Add(r);
        var mean = new float[rows[0].Length];
        var std = new float[rows[0].Length];
        profile.Resolve(definition.Speaker!.PopulationMean, definition.Speaker.PopulationStd, definition.Speaker.PriorWeight, mean, std);

        var model = EmotionModel.Load(path);
        using var torchModel = new TorchReferenceForward(definition);
        double worst = 0, moved = 0;
        foreach (var r in rows)
        {
            using var input = tensor(r).reshape(1, r.Length);
            using var p = torchModel.Forward(input, mean, std);
            var expected = p.data<float>().ToArray();
            var actual = model.Predict(r, profile);
            var lone = model.Predict(r);
            for (int c = 0; c < actual.Length; c++)
            {
                worst = Math.Max(worst, Math.Abs(expected[c] - actual[c]));
                moved = Math.Max(moved, Math.Abs(lone[c] - actual[c]));
            }
        }
        output.WriteLine($"speaker 03, 5-utterance profile: max |p_torch - p_emoser| over {rows.Length} files = {worst:E3}; the profile moves probabilities by up to {moved:F3}");
        Assert.True(worst <= Tolerance, $"max abs difference {worst:E3} > {Tolerance:E0}");
        Assert.True(moved > 0.01, $"the profile moved no probability by more than {moved}");
    }
}
