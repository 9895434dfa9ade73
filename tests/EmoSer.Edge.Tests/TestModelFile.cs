using EmoSer.Runtime.Model;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Edge.Tests;

/// <summary>
/// A randomly initialised Model A (smaller channels) on the 193 features and the Emo-DB labels, written once
/// per test run. It exercises <c>--model PATH</c> without depending on the shipped weights; its labels are noise.
/// </summary>
internal static class TestModelFile
{
    public static readonly string[] Labels = ["angry", "boredom", "disgust", "fear", "happy", "sad", "neutral"];

    private static readonly Lazy<string> s_path = new(Create);

    public static string Path => s_path.Value;

    private static string Create()
    {
        var rng = new Random(42);
        float[] R(int n, double scale, double offset = 0) =>
            [.. Enumerable.Range(0, n).Select(_ => (float)(offset + scale * (rng.NextDouble() * 2 - 1)))];
        const int input = 193, c1 = 16, c2 = 12, c3 = 8, k = 5, pool = 8;
        int pooled = (input - pool) / pool + 1;
        LayerDefinition Conv(int inC, int outC) => LayerDefinition.Conv1D(R(outC * inC * k, Math.Sqrt(3.0 / (inC * k))), R(outC, 0.1), inC, outC, k);
        LayerDefinition Bn(int c) => LayerDefinition.BatchNorm(R(c, 0.5, 1), R(c, 0.2), R(c, 0.2), R(c, 0.5, 1), 1e-3f);
        var definition = new ModelDefinition
        {
            Name = "edge-test-model",
            SampleRate = 16000,
            FeatureSetId = "librosa-seed-193",
            ExtractorVersion = 1,
            InputLength = input,
            Labels = Labels,
            InputMean = R(input, 1),
            InputStd = R(input, 0.5, 1.5),
            ModelCardJson = """{"name":"edge-test-model","training_data":"none (random weights)","metrics":{"accuracy":null}}""",
            Members =
            [
                new NetworkDefinition(
                [
                    Conv(1, c1), Bn(c1), LayerDefinition.ReLU(),
                    Conv(c1, c2), LayerDefinition.ReLU(), LayerDefinition.Dropout(0.1f),
                    LayerDefinition.MaxPool1D(pool, pool),
                    Conv(c2, c3), Bn(c3), LayerDefinition.ReLU(), LayerDefinition.Dropout(0.2f),
                    LayerDefinition.Flatten(),
                    LayerDefinition.Dense(R(Labels.Length * pooled * c3, Math.Sqrt(3.0 / (pooled * c3))), R(Labels.Length, 0.1), pooled * c3, Labels.Length),
                    LayerDefinition.Softmax(),
                ]),
            ],
        };
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"emoser-edge-test-model-{Environment.ProcessId}.emow");
        ModelFileWriter.Write(definition, path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    }
}
