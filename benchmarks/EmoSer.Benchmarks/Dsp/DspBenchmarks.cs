using BenchmarkDotNet.Attributes;
using EmoSer.Runtime.Dsp;
using EmoSer.Runtime.Features;

namespace EmoSer.Benchmarks.Dsp;

/// <summary>Per-frame building blocks at the hot size (n_fft 2048, 16 kHz).</summary>
[MemoryDiagnoser]
public class DspBenchmarks
{
    private readonly RealFft _fft = new(2048);
    private readonly CenteredStft _stft = new();
    private readonly MelFilterBank _mel128 = new(16000, 2048, 128);
    private readonly float[] _signal = new float[48000];
    private readonly float[] _frame = new float[2048];
    private readonly float[] _re = new float[1025];
    private readonly float[] _im = new float[1025];
    private readonly float[] _mel = new float[128];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        for (int i = 0; i < _signal.Length; i++)
            _signal[i] = (float)(rng.NextDouble() - 0.5);
        _signal.AsSpan(0, 2048).CopyTo(_frame);
    }

    [Benchmark]
    public float RealFft_2048()
    {
        _fft.Forward(_frame, _re, _im);
        return _re[3];
    }

    [Benchmark]
    public float StftFrame_2048()
    {
        _stft.ComputeFrame(_signal, 40, _re, _im);
        return _re[3];
    }

    [Benchmark]
    public float Mel128_apply()
    {
        _mel128.Apply(_re, _mel);
        return _mel[3];
    }
}
