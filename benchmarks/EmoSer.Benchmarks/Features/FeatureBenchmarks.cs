using BenchmarkDotNet.Attributes;
using EmoSer.Runtime.Features;

namespace EmoSer.Benchmarks.Features;

/// <summary>The 193 seed features of one 3 s 16 kHz utterance (speech-like synthetic signal), on one thread.</summary>
[MemoryDiagnoser]
public class FeatureBenchmarks
{
    private float[] _utterance = [];
    private float[] _features = new float[SeedFeatureExtractor.FeatureCount];
    private SeedFeatureExtractor _extractor = null!;
    private StreamingFeatureExtractor _stream = null!;

    [GlobalSetup]
    public void Setup()
    {
        _utterance = SpeechLikeSignal.Generate(16000, 3.0, seed: 1);
        _extractor = new SeedFeatureExtractor(16000);
        _extractor.Extract(_utterance, _features);
        _stream = new StreamingFeatureExtractor(16000, 3.0);
        _stream.Push(_utterance);
    }

    /// <summary>Batch extraction on a reused extractor (the span overload: no allocation).</summary>
    [Benchmark]
    public float Extract_3s_16k()
    {
        _extractor.Extract(_utterance, _features);
        return _features[0];
    }

    /// <summary>Streaming: push 1 s of audio (31 new frames) and query the 3 s window.</summary>
    [Benchmark]
    public float Stream_push1s_query3s()
    {
        _stream.Push(_utterance.AsSpan(0, 16000));
        _stream.TryGetFeatures(_features);
        return _features[0];
    }
}
