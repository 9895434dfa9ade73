using BenchmarkDotNet.Attributes;
using EmoSer.Runtime;
using EmoSer.Runtime.Features;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Classifier;

namespace EmoSer.Benchmarks.Model;

/// <summary>
/// End to end on 3 s of speech-like audio: 193 features plus Model A (what `emoser classify` does per file after
/// reading it), and the same at 44.1 kHz (plus resampling).
/// </summary>
[MemoryDiagnoser]
public class ClassifierBenchmarks
{
    private EmotionClassifier _classifier = null!;
    private readonly SeedFeatureExtractor _extractor = new(16000);
    private readonly float[] _features = new float[SeedFeatureExtractor.FeatureCount];
    private float[] _audio16k = [], _audio44k = [];

    [GlobalSetup]
    public void Setup()
    {
        _classifier = new EmotionClassifier(EmotionModel.FromDefinition(ModelAShape.Create()));
        _audio16k = Voice(16000, 3.0);
        _audio44k = Voice(44100, 3.0);
    }

    private static float[] Voice(int rate, double seconds)
    {
        var x = new float[(int)(rate * seconds)];
        double phase = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double t = (double)i / rate;
            phase += 2 * Math.PI * 140 * (1 + (0.05 * Math.Sin(2 * Math.PI * 5 * t))) / rate;
            x[i] = (float)(0.1 * (0.5 + (0.5 * Math.Sin(2 * Math.PI * 3.3 * t))) * (Math.Sin(phase) + (0.5 * Math.Sin(2 * phase)) + (0.3 * Math.Sin(3 * phase))));
        }
        return x;
    }

    [Benchmark(Description = "Classify 3 s @16 kHz (features + Model A)")]
    public float Classify16k() => _classifier.Classify(_audio16k, 16000).Confidence;

    [Benchmark(Description = "Classify 3 s @44.1 kHz (resample + features + Model A)")]
    public float Classify44k() => _classifier.Classify(_audio44k, 44100).Confidence;

    [Benchmark(Description = "SeedFeatureExtractor 3 s @16 kHz alone")]
    public float Features()
    {
        _extractor.Extract(_audio16k, _features);
        return _features[0];
    }
}
