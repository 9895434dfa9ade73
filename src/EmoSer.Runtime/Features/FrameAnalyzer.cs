using EmoSer.Runtime.Dsp;

namespace EmoSer.Runtime.Features;

/// <summary>
/// Everything the 193 features need from one STFT frame, computed once per frame: magnitude, mel-128 dB,
/// mel-50 power, contrast peaks/valleys, tuning candidates. Shared by the batch and the streaming extractor.
/// Holds scratch buffers: one instance per thread.
/// </summary>
internal sealed class FrameAnalyzer
{
    public const int NFft = 2048;
    public const int HopLength = 512;

    private readonly CenteredStft _stft = new(NFft, HopLength);
    private readonly MelFilterBank _mel128;
    private readonly MelFilterBank _mel50;
    private readonly float[] _power = new float[NFft / 2 + 1];
    private readonly float[] _mel = new float[FeatureFrames.Mel128Bands];
    private readonly SpectralContrast _contrast;
    private readonly TuningEstimator _tuning;

    public FrameAnalyzer(int sampleRate)
    {
        SampleRate = sampleRate;
        _mel128 = MelFilterBank.GetShared(sampleRate, NFft, FeatureFrames.Mel128Bands);
        _mel50 = MelFilterBank.GetShared(sampleRate, NFft, FeatureFrames.Mel50Bands);
        _contrast = new SpectralContrast(sampleRate, NFft);
        _tuning = new TuningEstimator(sampleRate, NFft, WindowFeatureAggregator.ChromaCount);
    }

    /// <summary>Room per frame for tuning candidates.</summary>
    public int MaxCandidates => _tuning.MaxCandidatesPerFrame;

    /// <summary>A store sized for this analyzer's frames.</summary>
    public FeatureFrames CreateFrames() => new(BinCount, MaxCandidates);

    public int SampleRate { get; }

    public int BinCount => _stft.BinCount;

    public int FrameCount(int samples) => _stft.FrameCount(samples);

    /// <summary>Analyses the frame centred on <paramref name="centre"/> of <paramref name="signal"/> (zeros outside) into row <paramref name="row"/>.</summary>
    public void Analyze(ReadOnlySpan<float> signal, long centre, FeatureFrames frames, int row) =>
        Analyze(signal, centre, frames, row, frames.MagnitudeRow(row));

    /// <summary>As above, with the magnitude spectrum written to <paramref name="magnitude"/> instead of the store.</summary>
    public void Analyze(ReadOnlySpan<float> signal, long centre, FeatureFrames frames, int row, Span<float> magnitude)
    {
        _stft.ComputeFrameAt(signal, centre, magnitude, _power);
        _mel128.Apply(_power, _mel);
        PowerToDb.Convert(_mel, frames.Mel128DbRow(row));
        _mel50.Apply(_power, frames.Mel50Row(row));
        _contrast.ComputeFrame(magnitude, frames.ContrastPeakRow(row), frames.ContrastValleyRow(row));
        frames.CandidateCount[row] = _tuning.FindCandidates(magnitude, frames.CandidatePitchRow(row), frames.CandidateMagnitudeRow(row));
    }

    /// <summary>Only the magnitude spectrum of the frame centred on <paramref name="centre"/>.</summary>
    public void ComputeMagnitude(ReadOnlySpan<float> signal, long centre, Span<float> magnitude) =>
        _stft.ComputeFrameAt(signal, centre, magnitude, _power);
}
