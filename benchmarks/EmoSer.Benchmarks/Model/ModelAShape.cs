using EmoSer.Runtime.Model;
using EmoSer.Runtime.ModelFile;

namespace EmoSer.Benchmarks.Model;

/// <summary>Model A with random Glorot-like weights (speed does not depend on the values) and its FLOP counts.</summary>
internal static class ModelAShape
{
    public const int Length = 193, Pooled = 24, Labels = 7;

    /// <summary>Multiply-adds x 2 of each conv layer: length x out x in x k x 2.</summary>
    public const double Conv1Flops = 2.0 * Length * 256 * 1 * 5;
    public const double Conv2Flops = 2.0 * Length * 128 * 256 * 5;
    public const double Conv3Flops = 2.0 * Pooled * 128 * 128 * 5;
    public const double ConvFlops = Conv1Flops + Conv2Flops + Conv3Flops;
    public const double ModelFlops = ConvFlops + (2.0 * 3072 * Labels);

    public static ModelDefinition Create(int seed = 1)
    {
        var rng = new Random(seed);
        float[] Rand(int n, double scale, double offset = 0) =>
            Enumerable.Range(0, n).Select(_ => (float)(offset + (scale * ((rng.NextDouble() * 2) - 1)))).ToArray();
        LayerDefinition Conv(int inC, int outC) => LayerDefinition.Conv1D(Rand(outC * inC * 5, Math.Sqrt(6.0 / ((inC + outC) * 5))), Rand(outC, 0.05), inC, outC, 5);
        LayerDefinition Bn(int c) => LayerDefinition.BatchNorm(Rand(c, 0.3, 1), Rand(c, 0.1), Rand(c, 0.2), Rand(c, 0.4, 1), 1e-3f);
        return new ModelDefinition
        {
            Name = "model-a-bench", SampleRate = 16000, FeatureSetId = "librosa-seed-193", ExtractorVersion = 1, InputLength = Length,
            Labels = ["angry", "boredom", "disgust", "fear", "happy", "sad", "neutral"],
            InputMean = Rand(Length, 1), InputStd = Rand(Length, 0.5, 1.5),
            Members =
            [
                new NetworkDefinition(
                [
                    Conv(1, 256), Bn(256), LayerDefinition.ReLU(),
                    Conv(256, 128), LayerDefinition.ReLU(), LayerDefinition.Dropout(0.1f),
                    LayerDefinition.MaxPool1D(8, 8),
                    Conv(128, 128), Bn(128), LayerDefinition.ReLU(), LayerDefinition.Dropout(0.2f),
                    LayerDefinition.Flatten(),
                    LayerDefinition.Dense(Rand(Labels * 3072, 0.04), Rand(Labels, 0.1), 3072, Labels),
                    LayerDefinition.Softmax(),
                ]),
            ],
        };
    }

    public static float[] Features(int seed = 2)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, Length).Select(_ => (float)((rng.NextDouble() * 4) - 2)).ToArray();
    }
}
