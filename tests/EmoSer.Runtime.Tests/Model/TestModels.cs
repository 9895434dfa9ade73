using EmoSer.Tests.Shared;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.ModelFile;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Runtime.Tests.Model;

/// <summary>Randomly initialised models for tests: Model A's architecture at any size.</summary>
internal static class TestModels
{
    public static readonly string[] EmoDbLabels = ["angry", "boredom", "disgust", "fear", "happy", "sad", "neutral"];

    public static float[] Random(Random rng, int n, double scale = 1, double offset = 0)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++)
            a[i] = (float)(offset + (scale * ((rng.NextDouble() * 2) - 1)));
        return a;
    }

    /// <summary>
    /// Model A: Conv(c1,k)-BN-ReLU-Conv(c2,k)-ReLU-Dropout-MaxPool(pool)-Conv(c3,k)-BN-ReLU-Dropout-Flatten-Dense-Softmax.
    /// Weights are scaled like Glorot so activations stay O(1) and the softmax is not saturated.
    /// </summary>
    public static List<LayerDefinition> ModelALayers(Random rng, int inputLength, int labels, int c1 = 256, int c2 = 128, int c3 = 128, int k = 5, int pool = 8)
    {
        LayerDefinition Conv(int inC, int outC) =>
            LayerDefinition.Conv1D(Random(rng, outC * inC * k, Math.Sqrt(3.0 / (inC * k))), Random(rng, outC, 0.1), inC, outC, k);
        LayerDefinition Bn(int c) =>
            LayerDefinition.BatchNorm(Random(rng, c, 0.5, 1), Random(rng, c, 0.2), Random(rng, c, 0.2), Random(rng, c, 0.5, 1), 1e-3f);
        int pooled = ((inputLength - pool) / pool) + 1;
        return
        [
            Conv(1, c1), Bn(c1), LayerDefinition.ReLU(),
            Conv(c1, c2), LayerDefinition.ReLU(), LayerDefinition.Dropout(0.1f),
            LayerDefinition.MaxPool1D(pool, pool),
            Conv(c2, c3), Bn(c3), LayerDefinition.ReLU(), LayerDefinition.Dropout(0.2f),
            LayerDefinition.Flatten(),
            LayerDefinition.Dense(Random(rng, labels * pooled * c3, Math.Sqrt(3.0 / (pooled * c3))), Random(rng, labels, 0.1), pooled * c3, labels),
            LayerDefinition.Softmax(),
        ];
    }

    public static ModelDefinition Definition(IReadOnlyList<LayerDefinition> layers, int inputLength, IReadOnlyList<string> labels, Random? rng = null,
        bool standardize = true, int members = 1, string? card = "{\"name\":\"test\"}")
    {
        rng ??= new Random(1);
        return new ModelDefinition
        {
            Name = "test-model",
            SampleRate = 16000,
            FeatureSetId = "librosa-seed-193",
            ExtractorVersion = 1,
            InputLength = inputLength,
            Labels = labels,
            InputMean = standardize ? Random(rng, inputLength, 1) : null,
            InputStd = standardize ? Random(rng, inputLength, 0.5, 1.5) : null,
            ModelCardJson = card,
            Members = Enumerable.Range(0, members).Select(_ => new NetworkDefinition(layers)).ToArray(),
        };
    }

    /// <summary>A small Model A (input 20, channels 3/5/4, kernel 3, pool 4, 3 labels): a ~2 KB file.</summary>
    public static ModelDefinition Small(int seed = 7)
    {
        var rng = new Random(seed);
        return Definition(ModelALayers(rng, 20, 3, c1: 3, c2: 5, c3: 4, k: 3, pool: 4), 20, ["a", "b", "c"], rng);
    }

    /// <summary>Full-size Model A on 193 features and the 7 Emo-DB labels.</summary>
    public static ModelDefinition ModelA(int seed = 1, int members = 1)
    {
        var rng = new Random(seed);
        return Definition(ModelALayers(rng, 193, 7), 193, EmoDbLabels, rng, members: members);
    }

    /// <summary>A random speaker normalization for <paramref name="length"/> features (population std in [0.5, 1.5]).</summary>
    public static SpeakerNormalization RandomSpeaker(Random rng, int length, float priorWeight = 4) =>
        new(priorWeight, Random(rng, length, 1), Random(rng, length, 0.5, 1));

    /// <summary><see cref="Small"/> with a random speaker normalization (normalization 2).</summary>
    public static ModelDefinition SmallWithSpeaker(int seed = 7, float priorWeight = 4) =>
        ModelDefinitions.WithSpeaker(Small(seed), RandomSpeaker(new Random(seed + 100), 20, priorWeight));
}
