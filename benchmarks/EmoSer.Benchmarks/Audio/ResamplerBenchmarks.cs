using BenchmarkDotNet.Attributes;
using EmoSer.Runtime.Audio;

namespace EmoSer.Benchmarks.Audio;

/// <summary>Resampling 3 s of 44.1 kHz audio to 16 kHz (the common "phone/PC recording to model rate" case).</summary>
[MemoryDiagnoser]
public class ResamplerBenchmarks
{
    private float[] _input = [];
    private float[] _output = [];
    private Resampler _resampler = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _input = new float[3 * 44100];
        for (int i = 0; i < _input.Length; i++)
            _input[i] = (float)(0.3 * Math.Sin(2 * Math.PI * 440 * i / 44100) + 0.05 * (rng.NextDouble() - 0.5));
        _resampler = new Resampler(44100, 16000);
        _output = new float[_resampler.MaxOutputLength(_input.Length) + _resampler.MaxOutputLength(0)];
    }

    /// <summary>One-shot API: builds the filter table and allocates the result.</summary>
    [Benchmark]
    public float[] Static_44k1_to_16k_3s() => Resampler.Resample(_input, 44100, 16000);

    /// <summary>Streaming API on a reused instance: no allocation.</summary>
    [Benchmark]
    public int Streaming_44k1_to_16k_3s()
    {
        int n = _resampler.Process(_input, _output);
        return n + _resampler.Flush(_output.AsSpan(n));
    }
}
