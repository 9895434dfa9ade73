using BenchmarkDotNet.Attributes;
using EmoSer.Runtime.Dsp;
using EmoSer.Runtime.Features;

namespace EmoSer.Benchmarks.Features;

/// <summary>Where the time of one 3 s 16 kHz extraction goes: each per-frame stage over all 94 frames, and the window statistics.</summary>
[MemoryDiagnoser]
public class FeatureStageBenchmarks
{
    private float[] _y = [];
    private readonly CenteredStft _stft = new();
    private readonly MelFilterBank _mel128 = new(16000, 2048, 128);
    private readonly SpectralContrast _contrast = new(16000, 2048);
    private readonly TuningEstimator _tuning = new(16000, 2048, 80);
    private ChromaFilterBank _chroma = null!;
    private float[][] _mags = [];
    private readonly float[] _power = new float[1025];
    private readonly float[] _out = new float[128];
    private readonly float[] _peak = new float[7];
    private readonly float[] _valley = new float[7];
    private float[] _pitch = [];
    private float[] _cmag = [];
    private int _frames;

    [GlobalSetup]
    public void Setup()
    {
        _y = SpeechLikeSignal.Generate(16000, 3.0, seed: 1);
        _frames = _stft.FrameCount(_y.Length);
        _mags = new float[_frames][];
        for (int t = 0; t < _frames; t++)
        {
            _mags[t] = new float[1025];
            _stft.ComputeFrame(_y, t, _mags[t], _power);
        }
        _chroma = ChromaFilterBank.GetShared(16000, 2048, 80, -0.1);
        _pitch = new float[_tuning.MaxCandidatesPerFrame];
        _cmag = new float[_tuning.MaxCandidatesPerFrame];
    }

    [Benchmark]
    public void Stft() { for (int t = 0; t < _frames; t++) _stft.ComputeFrame(_y, t, _mags[0], _power); }

    [Benchmark]
    public void Mel128() { for (int t = 0; t < _frames; t++) _mel128.Apply(_mags[t], _out); }

    [Benchmark]
    public void Contrast() { for (int t = 0; t < _frames; t++) _contrast.ComputeFrame(_mags[t], _peak, _valley); }

    [Benchmark]
    public void TuningCandidates() { for (int t = 0; t < _frames; t++) _tuning.FindCandidates(_mags[t], _pitch, _cmag); }

    [Benchmark]
    public void Chroma() { for (int t = 0; t < _frames; t++) _chroma.Apply(_mags[t], _out.AsSpan(0, 80)); }

    [Benchmark]
    public void Tonnetz6() { Span<double> d = stackalloc double[6]; for (int t = 0; t < _frames; t++) Tonnetz.FromChroma(_out.AsSpan(0, 80), d); }
}
