using BenchmarkDotNet.Attributes;
using EmoSer.Runtime.Dsp;
using EmoSer.Runtime.Features;

namespace EmoSer.Benchmarks.Features;

/// <summary>
/// The chroma-family per-frame blocks over all 94 frames of one 3 s 16 kHz utterance (speech-like synthetic
/// signal), each block on its own, on one thread: what they add to the 193-feature extraction.
/// </summary>
[MemoryDiagnoser]
public class ChromaBlockBenchmarks
{
    private const int NFft = 2048;
    private float[] _mag = [];
    private int _frames;
    private TuningEstimator _tuner = null!;
    private ChromaFilterBank _bank = null!;
    private SpectralContrast _contrast = null!;
    private readonly float[] _chroma = new float[80];
    private float[] _chromaAll = [];
    private float[] _peaks = [];
    private float[] _valleys = [];
    private readonly float[] _tonnetz = new float[6];
    private readonly float[] _mean = new float[7];

    [GlobalSetup]
    public void Setup()
    {
        float[] y = SpeechLikeSignal.Generate(16000, 3.0, seed: 1);
        var stft = new CenteredStft(NFft, 512);
        _frames = stft.FrameCount(y.Length);
        _mag = new float[_frames * stft.BinCount];
        var power = new float[stft.BinCount];
        for (int t = 0; t < _frames; t++)
            stft.ComputeFrame(y, t, _mag.AsSpan(t * stft.BinCount, stft.BinCount), power);
        _tuner = new TuningEstimator(16000, NFft, 80);
        _contrast = new SpectralContrast(16000, NFft);
        _peaks = new float[_frames * 7];
        _valleys = new float[_frames * 7];
        _chromaAll = new float[_frames * 80];
        _bank = new ChromaFilterBank(16000, NFft, 80, Tuning());
        Chroma();
    }

    private ReadOnlySpan<float> Frame(int t) => _mag.AsSpan(t * (NFft / 2 + 1), NFft / 2 + 1);

    /// <summary>piptrack candidates of every frame, then the tuning histogram.</summary>
    [Benchmark]
    public double Tuning()
    {
        _tuner.Reset();
        for (int t = 0; t < _frames; t++)
            _tuner.FindCandidates(Frame(t));
        return _tuner.Estimate();
    }

    /// <summary>Chroma-80 of every frame (filterbank already built).</summary>
    [Benchmark]
    public float Chroma()
    {
        for (int t = 0; t < _frames; t++)
            _bank.Apply(Frame(t), _chromaAll.AsSpan(t * 80, 80));
        return _chromaAll[0];
    }

    /// <summary>Building the chroma filterbank for a new tuning (the shared cache avoids this after the first use).</summary>
    [Benchmark]
    public int BuildFilterBank() => new ChromaFilterBank(16000, NFft, 80, -0.23).NonZeroWeights;

    /// <summary>Contrast peaks/valleys of every frame, then the dB means.</summary>
    [Benchmark]
    public float Contrast()
    {
        for (int t = 0; t < _frames; t++)
            _contrast.ComputeFrame(Frame(t), _peaks.AsSpan(t * 7, 7), _valleys.AsSpan(t * 7, 7));
        SpectralContrast.MeanContrastDb(_peaks, _valleys, _frames, _mean);
        return _mean[0];
    }

    /// <summary>Tonnetz of every chroma frame.</summary>
    [Benchmark]
    public float TonnetzAll()
    {
        float s = 0;
        for (int t = 0; t < _frames; t++)
        {
            Tonnetz.FromChroma(_chromaAll.AsSpan(t * 80, 80), _tonnetz);
            s += _tonnetz[0];
        }
        return s;
    }
}
