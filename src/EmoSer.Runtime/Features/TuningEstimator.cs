using System.Numerics.Tensors;

namespace EmoSer.Runtime.Features;

/// <summary>
/// Global tuning estimate of a spectrogram, as <c>librosa.estimate_tuning(S=S, sr, n_fft, bins_per_octave)</c>
/// computes it with its defaults: <c>piptrack</c> (fmin 150 Hz, fmax 4000 Hz, threshold 0.1 of each frame's
/// maximum, parabolic interpolation) gives pitch/magnitude candidates in every frame; candidates whose
/// magnitude is at least the median over all candidates of all frames are kept; their pitch residuals
/// (in bins of <c>bins_per_octave</c>) are histogrammed in 0.01-bin steps on [-0.5, 0.5] and the left edge
/// of the fullest bin is the tuning.
/// </summary>
/// <remarks>
/// Call <see cref="FindCandidates(ReadOnlySpan{float})"/> once per frame, then <see cref="Estimate()"/>.
/// Because the median is over the whole matrix, every candidate is kept in grow-only buffers (a handful per
/// frame); after warm-up nothing is allocated. The arithmetic follows librosa's dtypes (float32 spectrogram,
/// numba's float64 parabola, float32 pitches and log2) so that histogram-edge decisions agree with librosa.
/// For a sliding window, use the span overload of FindCandidates to keep each frame's candidates in a ring
/// and <see cref="Estimate(ReadOnlySpan{float}, ReadOnlySpan{float}, int, Span{float})"/> over the window.
/// Not thread-safe; use one instance per extraction.
/// </remarks>
internal sealed class TuningEstimator
{
    /// <summary>piptrack's default lower frequency bound in Hz.</summary>
    public const double MinFrequency = 150.0;
    /// <summary>piptrack's default upper frequency bound in Hz.</summary>
    public const double MaxFrequency = 4000.0;
    /// <summary>piptrack's default threshold, relative to the frame maximum.</summary>
    public const float Threshold = 0.1f;
    /// <summary>estimate_tuning's default histogram resolution in bins.</summary>
    public const double Resolution = 0.01;

    private const int HistogramBins = 100; // ceil(1 / resolution)

    private static readonly double[] s_edges = BuildEdges();

    private readonly int _firstBin;   // first bin with fmin <= f < fmax
    private readonly int _endBin;     // one past the last such bin
    private float[] _pitches = new float[256];
    private float[] _mags = new float[256];
    private float[] _scratch = [];
    private int _count;

    /// <summary>Prepares an estimator for frames of <c>nFft / 2 + 1</c> bins.</summary>
    /// <param name="sampleRate">Sample rate in Hz.</param>
    /// <param name="nFft">FFT size.</param>
    /// <param name="binsPerOctave">Resolution of the tuning (chroma_stft passes n_chroma, 80 in the seed).</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is not positive.</exception>
    public TuningEstimator(int sampleRate, int nFft, int binsPerOctave)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(nFft, 4);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(binsPerOctave);
        SampleRate = sampleRate;
        FftSize = nFft;
        BinsPerOctave = binsPerOctave;
        BinCount = nFft / 2 + 1;

        // piptrack: fmax = min(fmax, sr/2); freq_mask = fmin <= fft_freqs < fmax, fft_freqs = rfftfreq(n_fft, 1/sr).
        double fmax = Math.Min(MaxFrequency, sampleRate / 2.0);
        double val = 1.0 / (nFft * (1.0 / sampleRate));
        _firstBin = -1;
        _endBin = 0;
        for (int k = 0; k < BinCount; k++)
        {
            double f = k * val;
            if (MinFrequency <= f && f < fmax)
            {
                if (_firstBin < 0) _firstBin = k;
                _endBin = k + 1;
            }
        }
        if (_firstBin < 0)
            _firstBin = _endBin = 0;
        // Local maxima need both neighbours; the masked range never touches bin 0 or the Nyquist bin.
        _firstBin = Math.Max(_firstBin, 1);
        _endBin = Math.Min(_endBin, BinCount - 1);
        if (_endBin < _firstBin)
            _endBin = _firstBin;
    }

    /// <summary>Sample rate in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>FFT size.</summary>
    public int FftSize { get; }

    /// <summary>Frequency bins per frame: <c>FftSize / 2 + 1</c>.</summary>
    public int BinCount { get; }

    /// <summary>Bins per octave of the returned tuning.</summary>
    public int BinsPerOctave { get; }

    /// <summary>Candidates accumulated since construction or the last <see cref="Reset"/>.</summary>
    public int CandidateCount => _count;

    /// <summary>Upper bound on the candidates one frame can yield (local maxima are at least two bins apart).</summary>
    public int MaxCandidatesPerFrame => (_endBin - _firstBin + 1) / 2 + 1;

    /// <summary>Finds the piptrack candidates of one frame and accumulates them.</summary>
    /// <param name="magFrame">One magnitude spectrogram column of <see cref="BinCount"/> values.</param>
    /// <returns>The number of candidates this frame contributed.</returns>
    /// <exception cref="ArgumentException">The frame has the wrong length.</exception>
    public int FindCandidates(ReadOnlySpan<float> magFrame)
    {
        int room = MaxCandidatesPerFrame;
        if (_count + room > _pitches.Length)
        {
            int size = Math.Max(_pitches.Length * 2, _count + room);
            Array.Resize(ref _pitches, size);
            Array.Resize(ref _mags, size);
        }
        int n = FindCandidates(magFrame, _pitches.AsSpan(_count, room), _mags.AsSpan(_count, room));
        _count += n;
        return n;
    }

    /// <summary>
    /// Finds the piptrack candidates of one frame without accumulating them (for sliding windows).
    /// </summary>
    /// <param name="magFrame">One magnitude spectrogram column of <see cref="BinCount"/> values.</param>
    /// <param name="pitches">Receives the candidates' interpolated frequencies in Hz (float32, as librosa stores them).</param>
    /// <param name="magnitudes">Receives the candidates' interpolated magnitudes.</param>
    /// <returns>The number of candidates written.</returns>
    /// <exception cref="ArgumentException">The frame has the wrong length or an output holds fewer than <see cref="MaxCandidatesPerFrame"/> values.</exception>
    public int FindCandidates(ReadOnlySpan<float> magFrame, Span<float> pitches, Span<float> magnitudes)
    {
        if (magFrame.Length != BinCount)
            throw new ArgumentException($"Expected a frame of {BinCount} bins, got {magFrame.Length}.", nameof(magFrame));
        int room = MaxCandidatesPerFrame;
        if (pitches.Length < room || magnitudes.Length < room)
            throw new ArgumentException($"Candidate outputs must hold at least {room} values.", pitches.Length < room ? nameof(pitches) : nameof(magnitudes));

        // ref_value = threshold * max over the whole column (float32).
        float refValue = Threshold * TensorPrimitives.Max(magFrame);

        int n = 0;
        for (int k = _firstBin; k < _endBin; k++)
        {
            // localmax of S * (S > ref): x[k] > x[k-1] and x[k] >= x[k+1].
            float s = magFrame[k];
            if (!(s > refValue))
                continue; // thresholded to zero: never a strict local maximum of non-negative values
            float left = magFrame[k - 1] > refValue ? magFrame[k - 1] : 0f;
            float right = magFrame[k + 1] > refValue ? magFrame[k + 1] : 0f;
            if (!(s > left && s >= right))
                continue;

            float sl = magFrame[k - 1], sr = magFrame[k + 1];
            // numba stencil on float32 input: (x[1] + x[-1]) stays float32, the int literals promote to float64.
            double a = (double)(sr + sl) - 2.0 * s;
            double b = (double)(sr - sl) / 2.0;
            float shift = Math.Abs(b) >= Math.Abs(a) ? 0f : (float)(-b / a);
            // np.gradient interior (float32), dskew = 0.5 * avg * shift (float32).
            float avg = (sr - sl) / 2f;
            float dskew = 0.5f * avg * shift;

            pitches[n] = (float)((k + (double)shift) * SampleRate / FftSize);
            magnitudes[n] = s + dskew;
            n++;
        }
        return n;
    }

    /// <summary>Adds candidates found earlier with the span overload of FindCandidates.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public void AddCandidates(ReadOnlySpan<float> pitches, ReadOnlySpan<float> magnitudes)
    {
        if (pitches.Length != magnitudes.Length)
            throw new ArgumentException("Pitches and magnitudes must have the same length.", nameof(magnitudes));
        if (_count + pitches.Length > _pitches.Length)
        {
            int size = Math.Max(_pitches.Length * 2, _count + pitches.Length);
            Array.Resize(ref _pitches, size);
            Array.Resize(ref _mags, size);
        }
        pitches.CopyTo(_pitches.AsSpan(_count));
        magnitudes.CopyTo(_mags.AsSpan(_count));
        _count += pitches.Length;
    }

    /// <summary>The accumulated candidates' pitches (for diagnostics and tests).</summary>
    internal ReadOnlySpan<float> Pitches => _pitches.AsSpan(0, _count);

    /// <summary>The accumulated candidates' magnitudes (for diagnostics and tests).</summary>
    internal ReadOnlySpan<float> Magnitudes => _mags.AsSpan(0, _count);

    /// <summary>Forgets all accumulated candidates (keeps the buffers).</summary>
    public void Reset() => _count = 0;

    /// <summary>
    /// The tuning of all accumulated candidates, in fractions of a bin, in [-0.5, 0.5): a multiple of 0.01
    /// computed as librosa does (<c>-0.5 + i · 0.01</c>). 0.0 when there is no candidate (e.g. silence).
    /// </summary>
    public double Estimate()
    {
        if (_scratch.Length < _count)
            _scratch = new float[Math.Max(_count, _scratch.Length * 2)];
        return Estimate(_pitches.AsSpan(0, _count), _mags.AsSpan(0, _count), BinsPerOctave, _scratch);
    }

    /// <summary>
    /// librosa's estimate_tuning over the given candidates (after piptrack): median-magnitude filter, then
    /// pitch_tuning with resolution 0.01.
    /// </summary>
    /// <param name="pitches">Candidate frequencies in Hz.</param>
    /// <param name="magnitudes">Candidate magnitudes.</param>
    /// <param name="binsPerOctave">Bins per octave of the result.</param>
    /// <param name="scratch">At least <c>pitches.Length</c> floats of workspace.</param>
    /// <exception cref="ArgumentException">The spans differ in length or the scratch is too small.</exception>
    public static double Estimate(ReadOnlySpan<float> pitches, ReadOnlySpan<float> magnitudes, int binsPerOctave, Span<float> scratch)
    {
        if (pitches.Length != magnitudes.Length)
            throw new ArgumentException("Pitches and magnitudes must have the same length.", nameof(magnitudes));
        if (scratch.Length < pitches.Length)
            throw new ArgumentException($"Scratch must hold at least {pitches.Length} values.", nameof(scratch));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(binsPerOctave);

        Span<int> counts = stackalloc int[HistogramBins];
        if (Histogram(pitches, magnitudes, binsPerOctave, scratch, counts) == 0)
            return 0.0; // librosa: no pitch -> threshold 0 -> empty frequency set -> 0.0
        int best = 0;
        for (int j = 1; j < HistogramBins; j++)
            if (counts[j] > counts[best])
                best = j; // first maximum, as np.argmax
        return s_edges[best];
    }

    /// <summary>The tuning value of histogram bin <paramref name="bin"/>: its left edge, <c>-0.5 + bin · 0.01</c>.</summary>
    internal static double BinEdge(int bin) => s_edges[bin];

    /// <summary>
    /// pitch_tuning's histogram of the candidates that pass estimate_tuning's median filter; returns how many
    /// residuals were counted. <paramref name="counts"/> holds 100 bins (edges -0.5 + 0.01 i).
    /// </summary>
    internal static int Histogram(ReadOnlySpan<float> pitches, ReadOnlySpan<float> magnitudes, int binsPerOctave, Span<float> scratch, Span<int> counts)
    {
        counts.Clear();
        // threshold = np.median(mag[pitch > 0]) (float32; the mean of the two middle values for an even count).
        int m = 0;
        for (int i = 0; i < pitches.Length; i++)
            if (pitches[i] > 0f)
                scratch[m++] = magnitudes[i];
        if (m == 0)
            return 0;
        Span<float> sorted = scratch[..m];
        sorted.Sort();
        float threshold = (m & 1) == 1 ? sorted[m / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2f;

        int used = 0;
        for (int i = 0; i < pitches.Length; i++)
        {
            float f = pitches[i];
            if (!(f > 0f) || !(magnitudes[i] >= threshold))
                continue;
            // residual = mod(bins_per_octave * log2(f / (A440/16)), 1), in float32 like numpy on a float32 array.
            // (numpy's float32 log2 is libm's, or Intel SVML's on AVX512 machines; they can differ by an ulp,
            // which moves a residual lying within ~1e-5 of a bin edge: see docs/features-chroma.md.)
            float octs = MathF.Log2(f / 27.5f);
            float x = binsPerOctave * octs;
            float residual = x - MathF.Floor(x);
            if (residual >= 0.5f)
                residual -= 1f;
            int bin = HistogramBin(residual);
            if (bin >= 0)
            {
                counts[bin]++;
                used++;
            }
        }
        return used;
    }

    /// <summary>np.histogram bin of a residual for edges linspace(-0.5, 0.5, 101); -1 outside.</summary>
    private static int HistogramBin(double r)
    {
        double[] e = s_edges;
        if (!(r >= e[0] && r <= e[HistogramBins]))
            return -1;
        int j = (int)Math.Floor((r + 0.5) * HistogramBins);
        j = Math.Clamp(j, 0, HistogramBins - 1);
        while (j > 0 && r < e[j]) j--;
        while (j < HistogramBins - 1 && r >= e[j + 1]) j++;
        return j;
    }

    private static double[] BuildEdges()
    {
        // np.linspace(-0.5, 0.5, 101): i * step + start, last edge set to stop.
        var e = new double[HistogramBins + 1];
        double step = 1.0 / HistogramBins;
        for (int i = 0; i <= HistogramBins; i++)
            e[i] = i * step + -0.5;
        e[HistogramBins] = 0.5;
        return e;
    }
}
