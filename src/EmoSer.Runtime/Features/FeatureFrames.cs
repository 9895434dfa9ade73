namespace EmoSer.Runtime.Features;

/// <summary>
/// Per-frame results that the window statistics of the 193 features are computed from: the magnitude
/// spectrum (needed again once the global tuning is known), the 128-band mel spectrum in dB (before the
/// global top_db clamp), the 50-band mel power spectrum, the spectral-contrast peaks and valleys and the
/// frame's piptrack candidates for the tuning estimate (whose median is over the whole window).
/// Row-major storage that only grows, so extracting same-or-shorter inputs again allocates nothing.
/// </summary>
internal sealed class FeatureFrames
{
    public const int Mel128Bands = 128;
    public const int Mel50Bands = 50;
    public const int ContrastBands = 7;

    public FeatureFrames(int binCount, int maxCandidates)
    {
        BinCount = binCount;
        MaxCandidates = maxCandidates;
    }

    public int BinCount { get; }

    /// <summary>Room per frame for tuning candidates (TuningEstimator.MaxCandidatesPerFrame).</summary>
    public int MaxCandidates { get; }

    public int Capacity { get; private set; }

    public float[] Magnitude { get; private set; } = [];

    public float[] Mel128Db { get; private set; } = [];

    public float[] Mel50 { get; private set; } = [];

    public float[] ContrastPeak { get; private set; } = [];

    public float[] ContrastValley { get; private set; } = [];

    public float[] CandidatePitch { get; private set; } = [];

    public float[] CandidateMagnitude { get; private set; } = [];

    public int[] CandidateCount { get; private set; } = [];

    /// <summary>Rows that have room for a magnitude spectrum (may be fewer than <see cref="Capacity"/>).</summary>
    public int MagnitudeCapacity { get; private set; }

    /// <summary>
    /// Makes room for <paramref name="frames"/> rows, keeping nothing (callers refill every row); magnitude rows
    /// only up to <paramref name="maxMagnitudeRows"/> (long inputs recompute them instead of keeping 4 KB a frame).
    /// </summary>
    public void EnsureCapacity(int frames, int maxMagnitudeRows = int.MaxValue)
    {
        if (frames <= Capacity)
            return;
        // Grow by at least a quarter so that a slowly growing input does not reallocate every call.
        int capacity = Math.Max(frames, Capacity + Capacity / 4);
        int magnitudeRows = Math.Min(capacity, maxMagnitudeRows);
        if (magnitudeRows > MagnitudeCapacity)
        {
            Magnitude = new float[(long)magnitudeRows * BinCount];
            MagnitudeCapacity = magnitudeRows;
        }
        Mel128Db = new float[capacity * Mel128Bands];
        Mel50 = new float[capacity * Mel50Bands];
        ContrastPeak = new float[capacity * ContrastBands];
        ContrastValley = new float[capacity * ContrastBands];
        CandidatePitch = new float[(long)capacity * MaxCandidates];
        CandidateMagnitude = new float[(long)capacity * MaxCandidates];
        CandidateCount = new int[capacity];
        Capacity = capacity;
    }

    public Span<float> MagnitudeRow(int frame) => Magnitude.AsSpan(frame * BinCount, BinCount);

    public Span<float> Mel128DbRow(int frame) => Mel128Db.AsSpan(frame * Mel128Bands, Mel128Bands);

    public Span<float> Mel50Row(int frame) => Mel50.AsSpan(frame * Mel50Bands, Mel50Bands);

    public Span<float> ContrastPeakRow(int frame) => ContrastPeak.AsSpan(frame * ContrastBands, ContrastBands);

    public Span<float> ContrastValleyRow(int frame) => ContrastValley.AsSpan(frame * ContrastBands, ContrastBands);

    public Span<float> CandidatePitchRow(int frame) => CandidatePitch.AsSpan(frame * MaxCandidates, MaxCandidates);

    public Span<float> CandidateMagnitudeRow(int frame) => CandidateMagnitude.AsSpan(frame * MaxCandidates, MaxCandidates);

    /// <summary>Copies row <paramref name="from"/> of <paramref name="source"/> into row <paramref name="to"/> of this store.</summary>
    public void CopyRowFrom(FeatureFrames source, int from, int to)
    {
        source.MagnitudeRow(from).CopyTo(MagnitudeRow(to));
        source.Mel128DbRow(from).CopyTo(Mel128DbRow(to));
        source.Mel50Row(from).CopyTo(Mel50Row(to));
        source.ContrastPeakRow(from).CopyTo(ContrastPeakRow(to));
        source.ContrastValleyRow(from).CopyTo(ContrastValleyRow(to));
        int n = source.CandidateCount[from];
        source.CandidatePitchRow(from)[..n].CopyTo(CandidatePitchRow(to));
        source.CandidateMagnitudeRow(from)[..n].CopyTo(CandidateMagnitudeRow(to));
        CandidateCount[to] = n;
    }
}
