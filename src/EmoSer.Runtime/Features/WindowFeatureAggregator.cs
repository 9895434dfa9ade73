using System.Numerics.Tensors;
using EmoSer.Runtime.Dsp;

namespace EmoSer.Runtime.Features;

/// <summary>
/// Turns the per-frame rows of one analysis window into the 193 features. Statistics that need the whole
/// window (the top_db clamp of the MFCC's dB mel spectrogram, the tuning estimate of the chroma, the contrast's
/// dB conversion) are computed here, so the batch and the streaming extractor share them exactly.
/// Holds scratch buffers: one instance per thread.
/// </summary>
internal sealed class WindowFeatureAggregator
{
    private const int MfccCount = 50;

    /// <summary>Chroma bins per octave of the seed's chroma_stft (also the tuning's bins per octave).</summary>
    public const int ChromaCount = 80;

    private readonly DctII _dct = new(FeatureFrames.Mel128Bands, MfccCount);
    private readonly double[] _dbSum = new double[FeatureFrames.Mel128Bands];
    private readonly double[] _mfcc = new double[MfccCount];
    private readonly double[] _mel50Sum = new double[FeatureFrames.Mel50Bands];
    private readonly float[] _row = new float[FeatureFrames.Mel128Bands];
    private readonly TuningEstimator _tuning;
    private readonly float[] _chroma = new float[ChromaCount];
    private readonly double[] _chromaSum = new double[ChromaCount];
    private readonly double[] _normalizedSum = new double[ChromaCount];
    private const double TinyFloat32 = 1.1754943508222875e-38;

    // Null: use the process-wide filterbank cache. Otherwise a few private slots, replaced round-robin.
    private readonly ChromaFilterBank?[]? _banks;
    private int _nextBankSlot;

    /// <param name="sampleRate">Sample rate of the analysed signal in Hz.</param>
    /// <param name="privateBankSlots">
    /// 0: chroma filterbanks come from the process-wide cache (<see cref="ChromaFilterBank.GetShared"/>), which keeps
    /// one per tuning seen (up to ~100, ~6 MB). A positive count: this instance keeps only that many recent ones, so a
    /// stream that runs for hours holds constant memory; a window whose tuning is not among them rebuilds its
    /// filterbank (about a millisecond and ~60 KB of garbage, only when the tuning changes).
    /// </param>
    public WindowFeatureAggregator(int sampleRate, int privateBankSlots = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(privateBankSlots);
        SampleRate = sampleRate;
        _tuning = new TuningEstimator(sampleRate, FrameAnalyzer.NFft, ChromaCount);
        _banks = privateBankSlots > 0 ? new ChromaFilterBank?[privateBankSlots] : null;
    }

    private ChromaFilterBank BankFor(double tuning)
    {
        if (_banks is null)
            return ChromaFilterBank.GetShared(SampleRate, FrameAnalyzer.NFft, ChromaCount, tuning);
        foreach (var cached in _banks)
        {
            if (cached is not null && cached.Tuning == tuning)
                return cached;
        }
        var bank = new ChromaFilterBank(SampleRate, FrameAnalyzer.NFft, ChromaCount, tuning);
        _banks[_nextBankSlot] = bank;
        _nextBankSlot = (_nextBankSlot + 1) % _banks.Length;
        return bank;
    }

    /// <summary>The tuning (fractions of a chroma bin) of the last window, for diagnostics.</summary>
    public double LastTuning { get; private set; }

    /// <summary>Test hook: use this tuning instead of the estimate (to separate a tuning tie from the rest).</summary>
    public double? TuningOverride { get; set; }

    /// <summary>Grows the candidate buffers for windows of up to <paramref name="frames"/> frames, so later calls allocate nothing.</summary>
    public void Reserve(int frames, int candidatesPerFrame)
    {
        int n = frames * candidatesPerFrame;
        if (_reserved >= n)
            return;
        var zeros = new float[n];
        _tuning.Reset();
        _tuning.AddCandidates(zeros, zeros);
        _tuning.Estimate();   // sizes its scratch; zero pitches are no candidates
        _tuning.Reset();
        _reserved = n;
    }

    private int _reserved;

    public int SampleRate { get; }

    /// <summary>Computes the 193 features from rows 0 .. <paramref name="frameCount"/> - 1 of <paramref name="frames"/>.</summary>
    public void Compute(FeatureFrames frames, int frameCount, Span<float> features)
    {
        var stored = new StoredMagnitudes(frames);
        Compute(frames, frameCount, features, ref stored);
    }

    /// <summary>As above, reading the magnitude spectra for the chroma from <paramref name="magnitudes"/>.</summary>
    public void Compute<TSource>(FeatureFrames frames, int frameCount, Span<float> features, scoped ref TSource magnitudes)
        where TSource : IMagnitudeSource, allows ref struct
    {
        features[..FeatureLayout.Count].Clear();
        ComputeMfcc(frames, frameCount, features.Slice(FeatureLayout.MfccStart, MfccCount));
        ComputeMel50(frames, frameCount, features.Slice(FeatureLayout.Mel50Start, FeatureFrames.Mel50Bands));
        ComputeChromaAndTonnetz(frames, frameCount, ref magnitudes,
            features.Slice(FeatureLayout.ChromaStart, ChromaCount), features.Slice(FeatureLayout.TonnetzStart, Tonnetz.Dimensions));
        SpectralContrast.MeanContrastDb(
            frames.ContrastPeak.AsSpan(0, frameCount * FeatureFrames.ContrastBands),
            frames.ContrastValley.AsSpan(0, frameCount * FeatureFrames.ContrastBands),
            frameCount, features.Slice(FeatureLayout.ContrastStart, FeatureFrames.ContrastBands));
    }

    // The tuning is one estimate over all frames (the median of all candidates), so the chroma of every frame
    // waits for it; per frame only the candidates were kept.
    private void ComputeChromaAndTonnetz<TSource>(FeatureFrames frames, int frameCount, scoped ref TSource magnitudes, Span<float> chromaMean, Span<float> tonnetzMean)
        where TSource : IMagnitudeSource, allows ref struct
    {
        _tuning.Reset();
        for (int t = 0; t < frameCount; t++)
        {
            int n = frames.CandidateCount[t];
            _tuning.AddCandidates(frames.CandidatePitchRow(t)[..n], frames.CandidateMagnitudeRow(t)[..n]);
        }
        double tuning = TuningOverride ?? _tuning.Estimate();
        LastTuning = tuning;
        // Tunings are multiples of 0.01 bin: a filterbank is built once per tuning and reused (see the constructor).
        var bank = BankFor(tuning);

        // The tonnetz of a frame is phi · (its chroma L1-normalised, stored as float32), which is linear, so the mean
        // tonnetz is phi · (mean of the normalised chroma columns): one projection per window, not per frame.
        Array.Clear(_chromaSum);
        Array.Clear(_normalizedSum);
        for (int t = 0; t < frameCount; t++)
        {
            bank.Apply(magnitudes.Magnitude(t), _chroma);
            double length = 0;
            for (int c = 0; c < _chroma.Length; c++)
            {
                _chromaSum[c] += _chroma[c];
                length += Math.Abs((double)_chroma[c]);
            }
            if (length < TinyFloat32)
                length = 1.0;   // librosa.util.normalize leaves tiny columns as they are
            for (int c = 0; c < _chroma.Length; c++)
                _normalizedSum[c] += (float)(_chroma[c] / length);
        }
        for (int c = 0; c < ChromaCount; c++)
            chromaMean[c] = (float)(_chromaSum[c] / frameCount);
        double[] phi = Tonnetz.GetBasis(ChromaCount);
        for (int p = 0; p < Tonnetz.Dimensions; p++)
        {
            double acc = 0;
            for (int c = 0; c < ChromaCount; c++)
                acc += phi[p * ChromaCount + c] * _normalizedSum[c];
            tonnetzMean[p] = (float)(acc / frameCount);
        }
    }

    // mean_t DCT(clamp(dB_t)) = DCT(mean_t clamp(dB_t)): the DCT is linear, the clamp needs the global maximum.
    private void ComputeMfcc(FeatureFrames frames, int frameCount, Span<float> mfcc)
    {
        ReadOnlySpan<float> db = frames.Mel128Db.AsSpan(0, frameCount * FeatureFrames.Mel128Bands);
        float floor = PowerToDb.Floor(TensorPrimitives.Max(db));
        Array.Clear(_dbSum);
        for (int t = 0; t < frameCount; t++)
        {
            PowerToDb.AtLeast(frames.Mel128DbRow(t), floor, _row);
            for (int m = 0; m < _row.Length; m++)
                _dbSum[m] += _row[m];
        }
        for (int m = 0; m < _dbSum.Length; m++)
            _dbSum[m] /= frameCount;
        _dct.Transform(_dbSum, _mfcc);
        for (int k = 0; k < MfccCount; k++)
            mfcc[k] = (float)_mfcc[k];
    }

    private void ComputeMel50(FeatureFrames frames, int frameCount, Span<float> mel)
    {
        Array.Clear(_mel50Sum);
        for (int t = 0; t < frameCount; t++)
        {
            ReadOnlySpan<float> row = frames.Mel50Row(t);
            for (int m = 0; m < row.Length; m++)
                _mel50Sum[m] += row[m];
        }
        for (int m = 0; m < _mel50Sum.Length; m++)
            mel[m] = (float)(_mel50Sum[m] / frameCount);
    }
}
